package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Format 1's single log, read as it was: what a journal holds until its first write by this
 * version, which moves it into the per-key layout and renames the log (it is never deleted).
 *
 * @param size the log's length in bytes
 */
record Version1(
    Map<String, Entry> entries, List<Problem> problems, List<byte[]> unreadable, long size) {
  static final String RETIRED = Layout.V1_LOG + ".v1-migrated";

  /** The log, or null when there is none (a directory in its place is format 2's guard). */
  static Version1 read(Layout layout) throws IOException {
    Path log = layout.v1Log();
    if (Disk.attributesOf(log) == null || Disk.attributesOf(log).isDirectory()) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Disk.readAll(log);
    } catch (NoSuchFileException e) {
      return null;
    }
    RecordCodec.Folded folded = RecordCodec.foldFile(bytes, log.toString(), key -> true);
    return new Version1(folded.entries(), folded.problems(), folded.unreadable(), bytes.length);
  }

  /**
   * One key as both formats have it: the same request folds together (as a merge would); for a
   * different request the new layout's entry stands, and the old one stays in the retired log.
   */
  static Entry combine(Entry ours, Entry old) {
    if (ours == null) {
      return old;
    }
    if (old == null || !ours.fingerprint().equals(old.fingerprint())) {
      return ours;
    }
    return ours.foldedWith(old);
  }

  /** A name for the retired log that is not taken: journal.jsonl.v1-migrated, then .2, .3, … */
  static String retiredName(Layout layout) throws IOException {
    String name = RETIRED;
    for (int n = 2; Disk.attributesOf(layout.dir().resolve(name)) != null; n++) {
      name = RETIRED + "." + n;
    }
    return name;
  }
}
