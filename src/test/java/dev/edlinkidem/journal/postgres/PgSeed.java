package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.journal.Bench;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalRecords;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * A development tool behind scripts/bench-journal's PostgreSQL column, kept in the test tree so
 * that it is not shipped: fills a PostgreSQL journal with entries as {@code Bench seed} makes them
 * for the file journal, stored as {@link PostgresJournal} stores them (each record one row of
 * {@code edlink_idem_records}, each key one summary row of {@code edlink_idem_entries}), but by
 * COPY: a million posts through the tool would take hours.
 *
 * <pre>
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.postgres.PgSeed serve DIR N [SEED]
 * </pre>
 *
 * starts a throw-away cluster under DIR ({@link PostgresCluster}), makes the journal's tables with
 * {@link PostgresJournal#open} (the tables and indexes of the build on the class path), seeds N
 * entries, prints {@code journal URL}, {@code key KEY} (one to show), {@code size SIZE} (the
 * database's) and {@code ready}, then waits until it is ended: SIGTERM stops the cluster and
 * deletes it.
 */
public final class PgSeed {
  private PgSeed() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3 || !args[0].equals("serve")) {
      System.err.println("usage: PgSeed serve DIR N [SEED]");
      System.exit(2);
    }
    Path dir = Files.createDirectories(Path.of(args[1]));
    int n = Integer.parseInt(args[2]);
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
    PostgresCluster cluster = PostgresCluster.start(dir);
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    long t0 = System.nanoTime();
    String key = seed(cluster.jdbcUrl(), props, cluster.url(cluster.superuser()), n, seed);
    System.err.printf(
        Locale.ROOT, "PgSeed: seeded %d entries in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
    PrintStream out = System.out;
    out.println("journal " + cluster.url(cluster.superuser()));
    out.println("key " + key);
    out.println(
        "size " + cluster.psql("select pg_size_pretty(pg_database_size('edlink'))").strip());
    out.println("ready");
    out.flush();
    // The cluster's shutdown hook stops and deletes it when this JVM is ended.
    Thread.currentThread().join();
  }

  /**
   * Seeds {@code n} entries created over the 30 days before now into the journal at {@code
   * jdbcUrl}, which must have none; returns the key of the entry in the middle, to show.
   */
  static String seed(String jdbcUrl, Properties props, String location, int n, long seed)
      throws Exception {
    PostgresJournal.open(jdbcUrl, props, location, PostgresJournal.LEASE, () -> {}).close();
    Instant now = Instant.now();
    Random random = new Random(seed);
    List<String> classes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      classes.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    // Oldest first, as they would have been journaled: record ids follow creation.
    long[] created = new long[n];
    for (int i = 0; i < n; i++) {
      created[i] =
          nanos(
              now.minus(
                  Duration.ofMillis(
                      (long) (random.nextDouble() * Duration.ofDays(30).toMillis()))));
    }
    Arrays.sort(created);
    Map<String, EntrySummary> samples = new LinkedHashMap<>();
    String middle = null;
    try (Connection records = connect(jdbcUrl, props);
        Connection entries = connect(jdbcUrl, props)) {
      Map<String, String> indexes = secondaryIndexes(records);
      try (Statement s = records.createStatement()) {
        for (String name : indexes.keySet()) {
          s.execute("drop index " + name);
        }
      }
      long id = 0;
      try (BinaryCopy recordRows =
              new BinaryCopy(records, "copy edlink_idem_records (id, key, record)");
          BinaryCopy entryRows =
              new BinaryCopy(
                  entries,
                  "copy edlink_idem_entries (key, first_record, created_ns, state, status,"
                      + " attempts, method, url, finished_ns, via)")) {
        for (int i = 0; i < n; i++) {
          // An entry's own generator, so that entry i is the same whatever n is.
          Random own = new Random(seed * 1_000_003L + i);
          String key = Bench.key(own);
          Entry entry =
              Bench.entry(own, key, instant(created[i]), classes.get(own.nextInt(classes.size())));
          long first = id + 1;
          byte[] lines = JournalRecords.entry(entry);
          int start = 0;
          for (int j = 0; j < lines.length; j++) {
            if (lines[j] == '\n') {
              recordRows.row(3);
              recordRows.bigint(++id);
              recordRows.text(key);
              recordRows.bytes(Arrays.copyOfRange(lines, start, j + 1));
              start = j + 1;
            }
          }
          EntrySummary s = EntrySummary.of(entry);
          entryRows.row(10);
          entryRows.text(s.key());
          entryRows.bigint(first);
          entryRows.bigint(nanos(s.created()));
          entryRows.text(s.state().label());
          entryRows.integer(s.status());
          entryRows.integer(s.attempts());
          entryRows.text(s.method());
          entryRows.text(s.url());
          if (s.finishedAt() == null) {
            entryRows.nul();
          } else {
            entryRows.bigint(nanos(s.finishedAt()));
          }
          if (s.via() == null) {
            entryRows.nul();
          } else {
            entryRows.text(s.via());
          }
          if (i == n / 2) {
            middle = key;
          }
          if (i % Math.max(1, n / 16) == 0 || i == n - 1) {
            samples.put(key, s);
          }
        }
      }
      try (Statement s = records.createStatement()) {
        s.execute("set maintenance_work_mem = '512MB'");
        for (String definition : indexes.values()) {
          s.execute(definition);
        }
        s.execute(
            "select setval(pg_get_serial_sequence('edlink_idem_records', 'id'), "
                + Math.max(1, id)
                + ", "
                + (id > 0)
                + ")");
        // As autovacuum would have left a month-old journal: statistics, and the visibility map
        // that lets an index-only scan skip the table.
        s.execute("vacuum analyze edlink_idem_records");
        s.execute("vacuum analyze edlink_idem_entries");
      }
    }
    // Read back through the journal: the rows are what the journal makes of its records.
    try (Journal journal =
        PostgresJournal.open(jdbcUrl, props, location, PostgresJournal.LEASE, () -> {})) {
      for (Map.Entry<String, EntrySummary> sample : samples.entrySet()) {
        EntrySummary read =
            journal.find(sample.getKey()).map(EntrySummary::of).orElseThrow(AssertionError::new);
        if (!read.equals(sample.getValue())) {
          throw new AssertionError(
              "seeded " + sample.getValue() + " but the journal reads " + read);
        }
      }
    }
    return middle == null ? "no-such-key-000000" : middle;
  }

  /** The indexes of the journal's big tables that back no constraint, by name: their statements. */
  private static Map<String, String> secondaryIndexes(Connection c) throws SQLException {
    Map<String, String> found = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select indexname, indexdef from pg_indexes where tablename in"
                    + " ('edlink_idem_records', 'edlink_idem_entries') and indexname not in"
                    + " (select conname from pg_constraint) order by indexname")) {
      while (r.next()) {
        found.put(r.getString(1), r.getString(2));
      }
    }
    return found;
  }

  private static Connection connect(String jdbcUrl, Properties props) throws SQLException {
    Connection c = new org.postgresql.Driver().connect(jdbcUrl, props);
    try (Statement s = c.createStatement()) {
      s.execute("set synchronous_commit = off"); // a seed is thrown away
    }
    return c;
  }

  private static long nanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  /** Rows sent by COPY in PostgreSQL's binary format, a megabyte at a time. */
  private static final class BinaryCopy implements AutoCloseable {
    private static final byte[] SIGNATURE = {
      'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0
    };
    private static final int CHUNK = 1 << 20;

    private final CopyIn copy;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK * 2);
    private final DataOutputStream out = new DataOutputStream(buffer);

    BinaryCopy(Connection c, String copyStatement) throws SQLException, IOException {
      copy =
          c.unwrap(PGConnection.class)
              .getCopyAPI()
              .copyIn(copyStatement + " from stdin with (format binary)");
      out.write(SIGNATURE);
      out.writeInt(0); // flags
      out.writeInt(0); // no header extension
    }

    void row(int fields) throws IOException, SQLException {
      if (buffer.size() >= CHUNK) {
        flush();
      }
      out.writeShort(fields);
    }

    void bigint(long value) throws IOException {
      out.writeInt(8);
      out.writeLong(value);
    }

    void integer(int value) throws IOException {
      out.writeInt(4);
      out.writeInt(value);
    }

    void text(String value) throws IOException {
      bytes(value.getBytes(StandardCharsets.UTF_8));
    }

    void bytes(byte[] value) throws IOException {
      out.writeInt(value.length);
      out.write(value);
    }

    void nul() throws IOException {
      out.writeInt(-1);
    }

    private void flush() throws SQLException {
      byte[] chunk = buffer.toByteArray();
      copy.writeToCopy(chunk, 0, chunk.length);
      buffer.reset();
    }

    @Override
    public void close() throws SQLException, IOException {
      out.writeShort(-1);
      flush();
      copy.endCopy();
    }
  }
}
