package dev.edlinkidem.journal;

import dev.edlinkidem.request.Sha256;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Where a journal directory keeps what (docs/journal-format.md, version 2). */
record Layout(Path dir) {
  static final String LOCK = "journal.lock";
  static final String ENTRIES = "entries";
  static final String CACHE = "summary.tsv";
  static final String TXN = "txn";
  static final String UNREADABLE = "unreadable.jsonl";
  static final String TOMBSTONES = "tombstones.jsonl";

  /**
   * Version 1's single log; in a version 2 journal a directory of this name keeps version 1 out.
   */
  static final String V1_LOG = "journal.jsonl";

  static final String ENTRY_SUFFIX = ".jsonl";

  Path lock() {
    return dir.resolve(LOCK);
  }

  Path entries() {
    return dir.resolve(ENTRIES);
  }

  Path cache() {
    return dir.resolve(CACHE);
  }

  Path txn() {
    return dir.resolve(TXN);
  }

  Path unreadable() {
    return dir.resolve(UNREADABLE);
  }

  Path tombstones() {
    return dir.resolve(TOMBSTONES);
  }

  Path v1Log() {
    return dir.resolve(V1_LOG);
  }

  /** The file of the key whose SHA-256 is {@code hash}: entries/ab/ab12….jsonl. */
  Path entryFile(String hash) {
    return entries().resolve(hash.substring(0, 2)).resolve(hash + ENTRY_SUFFIX);
  }

  /** Hex SHA-256 of the key's UTF-8 bytes: the key's file name, whatever characters the key has. */
  static String hash(String key) {
    return Sha256.hex(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The two hex digits that name the directory of a hash's file. */
  static String dirOf(String hash) {
    return hash.substring(0, 2);
  }

  /** Whether a file name in an entries directory is a key's file, and if so its hash. */
  static String hashOfFileName(String name) {
    if (name.length() != 64 + ENTRY_SUFFIX.length() || !name.endsWith(ENTRY_SUFFIX)) {
      return null;
    }
    for (int i = 0; i < 64; i++) {
      char c = name.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return null;
      }
    }
    return name.substring(0, 64);
  }
}
