package dev.edlinkidem.journal;

import dev.edlinkidem.journal.SummaryCache.Line;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The journal as a remove, a merge or a migration will leave it, worked out in memory before
 * anything is written: every entry's summary line in journal order, and the {@link Transaction}
 * that makes it so. A dry run stops here. The caller holds the gate exclusively.
 */
final class Draft {
  private final Layout layout;
  private final Catalog catalog;
  final LinkedHashMap<String, Line> lines;
  private final Map<String, Long> orphans;

  /** Keys changed so far, with their entries as they will be (null: removed). */
  private final Map<String, Entry> changed = new HashMap<>();

  private final Set<String> keptAside = new HashSet<>();
  private final Transaction txn;
  private final long bytesBefore;

  /**
   * @param version1Bytes the length of a format 1 log still in the directory, else 0
   */
  Draft(Layout layout, Catalog catalog, long version1Bytes) {
    this.layout = layout;
    this.catalog = catalog;
    this.lines = new LinkedHashMap<>(catalog.lines);
    this.orphans = new HashMap<>(catalog.orphans);
    this.txn = new Transaction(layout);
    this.bytesBefore = catalog.bytes() + version1Bytes;
  }

  /** The key's entry as the change stands, or null. */
  Entry entry(String key) throws IOException {
    if (changed.containsKey(key)) {
      return changed.get(key);
    }
    if (!lines.containsKey(key)) {
      return null;
    }
    String hash = Layout.hash(key);
    return EntryFile.read(layout.entryFile(hash), hash).entry();
  }

  boolean has(String key) {
    return lines.containsKey(key);
  }

  /** Rewrites the key's file as exactly this entry's records. */
  void put(Entry entry) throws IOException {
    String hash = Layout.hash(entry.key());
    keepAsideWhatIsUnreadable(entry.key(), hash);
    byte[] content = RecordCodec.encodeEntry(entry);
    txn.put(hash, content);
    changed.put(entry.key(), entry);
    lines.put(entry.key(), Line.of(entry, content.length, 0));
    orphans.remove(hash);
  }

  void remove(String key) throws IOException {
    String hash = Layout.hash(key);
    keepAsideWhatIsUnreadable(key, hash);
    txn.delete(hash);
    changed.put(key, null);
    lines.remove(key);
  }

  /**
   * Takes in format 1's log: its entries come first (they were journaled before anything in the new
   * layout), folded with the new layout's entry of the same key if there is one.
   */
  void absorb(Version1 old) throws IOException {
    LinkedHashMap<String, Line> ordered = new LinkedHashMap<>();
    for (Entry e : old.entries().values()) {
      Entry ours = entry(e.key());
      Entry combined = Version1.combine(ours, e);
      if (ours == null || !combined.equals(ours)) {
        put(combined);
      }
      ordered.put(e.key(), lines.get(e.key()));
    }
    lines.forEach(ordered::putIfAbsent);
    lines.clear();
    lines.putAll(ordered);
    txn.keepAside(old.unreadable());
    txn.retireVersion1(Version1.retiredName(layout));
  }

  /**
   * A file about to be rewritten or deleted may hold lines no one could read: those are kept. The
   * file is read even when the cache knows of none, since a finished entry's file is not read again
   * by listing and may have been damaged since.
   */
  private void keepAsideWhatIsUnreadable(String key, String hash) throws IOException {
    if (changed.containsKey(key) || !keptAside.add(hash)) {
      return; // its file is already this change's own
    }
    txn.keepAside(EntryFile.read(layout.entryFile(hash), hash).unreadable());
  }

  long bytesBefore() {
    return bytesBefore;
  }

  long bytesAfter() {
    return Catalog.bytes(lines, orphans);
  }

  void commit(Transaction.Steps steps) throws IOException {
    Map<String, Long> dirs = new TreeMap<>(catalog.verifiedDirs);
    dirs.keySet().removeAll(txn.touchedDirectories()); // their mtimes are about to change
    txn.cache(SummaryCache.render(lines.values(), orphans, dirs));
    txn.commit(steps);
  }
}
