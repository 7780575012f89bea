package dev.edlinkidem.journal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
    int line = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        line++;
        if (i > from) {
          Tombstone t;
          try {
            t = tombstone(RecordCodec.decode(bytes, from, i));
          } catch (RecordCodec.BadRecord | RuntimeException e) {
            // A damaged line may have been any key's: its key is believed if it can be read, and
            // a line whose key cannot be read stops every new key rather than let one through.
            t = lenient(new String(bytes, from, i - from, StandardCharsets.UTF_8));
            if (t == null && i < bytes.length) {
              throw new IOException(
                  file
                      + " line "
                      + line
                      + " is damaged, and the key it kept cannot be read; remove the line only"
                      + " if you know no key it may have held will be posted again");
            }
            // else: a last line torn by a crash while appending, which was never relied on
          }
          if (t != null) {
            all.put(t.key(), t);
          }
        }
        from = i + 1;
      }
    }
    return all;
  }

  private static Tombstone tombstone(JsonObject o) {
    if (!"tombstone".equals(o.get("type").getAsString())) {
      throw new IllegalArgumentException("not a tombstone");
    }
    return new Tombstone(
        o.get("key").getAsString(),
        o.get("fingerprint").getAsString(),
        Instant.parse(o.get("window_end").getAsString()),
        Instant.parse(o.get("at").getAsString()));
  }

  /** The key of a damaged line, when it still reads as one; its dates as far as they do. */
  private static Tombstone lenient(String line) {
    try {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      String key = o.get("key").getAsString();
      Instant end = Instant.EPOCH;
      try {
        end = Instant.parse(o.get("window_end").getAsString());
      } catch (RuntimeException e) {
        // unknown: the refusal says the epoch
      }
      return new Tombstone(key, "", end, end);
    } catch (RuntimeException e) {
      return null;
    }
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
