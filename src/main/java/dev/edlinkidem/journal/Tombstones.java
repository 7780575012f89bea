package dev.edlinkidem.journal;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code tombstones.jsonl}: one record per key that prune removed, each with its checksum like the
 * entry files' records. Appended and forced before the removal is committed, so that a crash
 * between the two leaves a tombstone beside a live entry (the entry wins), never a removed entry
 * without its tombstone. Read whole and kept while the file does not change: a batch asks once per
 * new key.
 */
final class Tombstones {
  private final Layout layout;
  private Map<String, Tombstone> known = Map.of();
  private Object seen; // the file's size and time when known was read

  Tombstones(Layout layout) {
    this.layout = layout;
  }

  synchronized Map<String, Tombstone> all() throws IOException {
    BasicFileAttributes a = Disk.attributesOf(layout.tombstones());
    Object now = a == null ? null : a.size() + "/" + a.lastModifiedTime().toMillis();
    if (now == null) {
      known = Map.of();
    } else if (!now.equals(seen)) {
      known = read(layout.tombstones());
    }
    seen = now;
    return known;
  }

  private static Map<String, Tombstone> read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Disk.readAll(file);
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    Map<String, Tombstone> all = new LinkedHashMap<>();
    int from = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        if (i > from) {
          try {
            JsonObject o = RecordCodec.decode(bytes, from, i);
            if ("tombstone".equals(o.get("type").getAsString())) {
              Tombstone t =
                  new Tombstone(
                      o.get("key").getAsString(),
                      o.get("fingerprint").getAsString(),
                      Instant.parse(o.get("window_end").getAsString()),
                      Instant.parse(o.get("at").getAsString()));
              all.put(t.key(), t);
            }
          } catch (RecordCodec.BadRecord | RuntimeException e) {
            // A torn last line (a crash while appending): that tombstone was never relied on.
          }
        }
        from = i + 1;
      }
    }
    return all;
  }

  /** Appends tombstones and forces them; the caller holds the gate exclusively. */
  void append(Collection<Tombstone> more) throws IOException {
    if (!more.isEmpty()) {
      Disk.appendForced(layout.tombstones(), encode(more));
    }
  }

  /** Keeps only {@code kept}: written beside, forced, renamed over; the caller holds the gate. */
  void rewrite(Collection<Tombstone> kept) throws IOException {
    Path file = layout.tombstones();
    Path temp = file.resolveSibling(file.getFileName() + ".new");
    Disk.writeForced(temp, encode(kept));
    Disk.replace(temp, file);
    Disk.force(layout.dir());
  }

  private static byte[] encode(Collection<Tombstone> tombstones) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tombstones.forEach(t -> out.writeBytes(RecordCodec.encode(record(t))));
    return out.toByteArray();
  }

  private static JsonObject record(Tombstone t) {
    JsonObject o = new JsonObject();
    o.addProperty("v", RecordCodec.VERSION);
    o.addProperty("type", "tombstone");
    o.addProperty("key", t.key());
    o.addProperty("at", t.prunedAt().toString());
    o.addProperty("fingerprint", t.fingerprint());
    o.addProperty("window_end", t.windowEnd().toString());
    return o;
  }
}
