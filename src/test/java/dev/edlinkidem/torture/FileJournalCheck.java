package dev.edlinkidem.torture;

import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The crash campaign's check after each kill of a directory journal: the journal opens with no
 * unreadable record and no change left unfinished, and every entry file of the previous check is
 * still there with its bytes as a prefix, unless a prune removed it, which it may do to a finished
 * entry only.
 *
 * <p>The files are compared as the journal reads them: the snapshot is taken after the journal was
 * opened and read, which first finishes (or throws away) a change that the killed process left in
 * {@code txn/}. A prune killed after its commit but before it had deleted every file leaves files
 * of entries it has already removed; counted before they are deleted, they would be taken for
 * entries that must live on, and a key posted again after {@code prune --tombstones} (a new begin
 * at the same path) would read as changed records.
 */
public final class FileJournalCheck implements JournalCheck {
  private final Path journal;
  private Map<String, byte[]> lastSnapshot = Map.of();
  private Map<String, EntryState> lastStates = Map.of();
  private int checked;
  private long recordsChecked;

  public FileJournalCheck(Path journal) {
    this.journal = journal;
  }

  @Override
  public List<String> check() throws Exception {
    List<String> violations = new ArrayList<>();
    Map<String, EntryState> states = new HashMap<>();
    Map<String, byte[]> now;
    try (FileJournal j = FileJournal.open(journal)) {
      for (Entry e : j.entries()) {
        states.put(e.key(), e.state());
      }
      for (Problem p : j.problems()) {
        violations.add("unreadable record after kill " + checked + ": " + p);
      }
      now = snapshot();
    }
    if (Files.exists(journal.resolve("txn"))) {
      violations.add("a change left in txn/ was not finished by the reader after kill " + checked);
    }
    for (Map.Entry<String, byte[]> before : lastSnapshot.entrySet()) {
      byte[] after = now.get(before.getKey());
      recordsChecked += count(before.getValue());
      if (after == null) {
        String key = keyOf(before.getValue());
        if (lastStates.get(key) == EntryState.PENDING) {
          violations.add("pending entry " + key + " vanished after kill " + checked);
        }
      } else if (after.length < before.getValue().length
          || !Arrays.equals(
              before.getValue(), 0, before.getValue().length, after, 0, before.getValue().length)) {
        violations.add("records of " + before.getKey() + " changed or lost after kill " + checked);
      }
    }
    lastSnapshot = now;
    lastStates = states;
    checked++;
    return violations;
  }

  @Override
  public int checked() {
    return checked;
  }

  @Override
  public long recordsChecked() {
    return recordsChecked;
  }

  /** Every entry file's bytes, by path. */
  private Map<String, byte[]> snapshot() throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    Path entries = journal.resolve("entries");
    if (!Files.isDirectory(entries)) {
      return files;
    }
    try (Stream<Path> all = Files.walk(entries)) {
      for (Path f : all.filter(Files::isRegularFile).toList()) {
        files.put(f.toString(), Files.readAllBytes(f));
      }
    }
    return files;
  }

  private static long count(byte[] bytes) {
    long n = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }

  /** The key of an entry file's first record. */
  private static String keyOf(byte[] file) {
    int end = 0;
    while (end < file.length && file[end] != '\n') {
      end++;
    }
    try {
      return JsonParser.parseString(new String(file, 0, end, StandardCharsets.UTF_8))
          .getAsJsonObject()
          .get("key")
          .getAsString();
    } catch (RuntimeException e) {
      return "?";
    }
  }
}
