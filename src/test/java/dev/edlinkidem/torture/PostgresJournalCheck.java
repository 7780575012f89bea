package dev.edlinkidem.torture;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.Problem;
import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The crash campaign's check after each kill of a PostgreSQL journal: the journal opens with no
 * unreadable record, each key's summary row (what {@code list} reads) agrees with its records, and
 * every record of every key of the previous check is still there, in order, as a prefix of the
 * key's records now, unless a prune removed the key, which it may do to a finished entry only and
 * never without a tombstone.
 *
 * <p>The records are read as the table holds them ({@code edlink_idem_records} by id, each the same
 * JSON line as a directory journal's), in one snapshot of the database.
 */
public final class PostgresJournalCheck implements JournalCheck {
  private final PostgresWatch watch;
  private Map<String, byte[]> lastRecords = Map.of();
  private Map<String, EntryState> lastStates = Map.of();
  private int checked;
  private long recordsChecked;

  public PostgresJournalCheck(PostgresWatch watch) {
    this.watch = watch;
  }

  @Override
  public List<String> check() throws Exception {
    List<String> violations = new ArrayList<>();
    Map<String, EntryState> states = new HashMap<>();
    try (Journal j = watch.openJournal()) {
      for (Entry e : j.entries()) {
        states.put(e.key(), e.state());
      }
      for (Problem p : j.problems()) {
        violations.add("unreadable record after kill " + checked + ": " + p);
      }
      Map<String, EntryState> summed = new HashMap<>();
      for (EntrySummary s : j.summaries()) {
        summed.put(s.key(), s.state());
      }
      if (!summed.equals(states)) {
        violations.add(
            "the summary rows disagree with the records after kill "
                + checked
                + ": "
                + difference(states, summed));
      }
    }
    Set<String> tombstones = new HashSet<>();
    Map<String, byte[]> now = snapshot(watch.connection(), tombstones);
    for (Map.Entry<String, byte[]> before : lastRecords.entrySet()) {
      String key = before.getKey();
      byte[] was = before.getValue();
      byte[] is = now.get(key);
      recordsChecked += count(was);
      if (is == null) {
        if (lastStates.get(key) == EntryState.PENDING) {
          violations.add("pending entry " + key + " vanished after kill " + checked);
        } else if (!tombstones.contains(key)) {
          violations.add("entry " + key + " vanished without a tombstone after kill " + checked);
        }
      } else if (is.length < was.length || !Arrays.equals(was, 0, was.length, is, 0, was.length)) {
        violations.add("records of " + key + " changed or lost after kill " + checked);
      }
    }
    lastRecords = now;
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

  /**
   * Every key's records, in the order written, and into {@code tombstones} the keys that have one;
   * both read in one snapshot.
   */
  private static Map<String, byte[]> snapshot(Connection db, Set<String> tombstones)
      throws SQLException {
    Map<String, ByteArrayOutputStream> records = new HashMap<>();
    db.setAutoCommit(false);
    db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    try (Statement s = db.createStatement()) {
      try (ResultSet r =
          s.executeQuery("select key, record from edlink_idem_records order by id")) {
        while (r.next()) {
          records
              .computeIfAbsent(r.getString(1), k -> new ByteArrayOutputStream())
              .writeBytes(r.getBytes(2));
        }
      }
      try (ResultSet r = s.executeQuery("select key from edlink_idem_tombstones")) {
        while (r.next()) {
          tombstones.add(r.getString(1));
        }
      }
      db.commit();
    } finally {
      db.setAutoCommit(true);
      db.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
    Map<String, byte[]> bytes = new HashMap<>();
    records.forEach((key, lines) -> bytes.put(key, lines.toByteArray()));
    return bytes;
  }

  /** The first few keys whose state differs between the records and the summaries. */
  private static String difference(Map<String, EntryState> records, Map<String, EntryState> rows) {
    Set<String> keys = new HashSet<>(records.keySet());
    keys.addAll(rows.keySet());
    return keys.stream()
        .filter(k -> records.get(k) != rows.get(k))
        .sorted()
        .limit(5)
        .map(k -> k + " records " + records.get(k) + ", row " + rows.get(k))
        .toList()
        .toString();
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
}
