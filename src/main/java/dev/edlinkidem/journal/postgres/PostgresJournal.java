package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Compaction;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.JournalRecords;
import dev.edlinkidem.journal.KeyHasRecordsException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.MergeRule;
import dev.edlinkidem.journal.Neighbours;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Tombstone;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import java.io.ByteArrayOutputStream;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The journal in a PostgreSQL database that a fleet of CI runners shares, with the file journal's
 * promises ({@link Journal}): every write is one transaction, and a begin record is committed with
 * {@code synchronous_commit} on, so it is on the server's disk before the request's first byte is
 * sent.
 *
 * <p>One key is sent by one process at a time by a lease: a row naming its holder by a fencing
 * number from a sequence, with an expiry that a thread of the holder's keeps pushing back. A holder
 * that dies, or is paused past the expiry, loses the key to the next process that asks; every write
 * checks, in its transaction and under the row's lock, that the lease is still its own, so a holder
 * that comes back never records anything over the new holder's.
 *
 * <p>Threads (a batch's workers) each borrow a connection of their own for each call, up to {@link
 * #CONNECTIONS}; the server then flushes the commits of concurrent writers together. A connection
 * that failed is closed, and the next call connects again, so a database that restarts costs the
 * calls under way, not the rest of the run.
 */
public final class PostgresJournal implements Journal {
  /** How long a lease lasts unless its holder renews it; renewed every third of it. */
  public static final Duration LEASE = Duration.ofSeconds(60);

  /**
   * Connections one journal opens at most, besides the renewer's: a batch's workers beyond it wait
   * for one. Each is a server process; a fleet's runners share the server's {@code
   * max_connections}.
   */
  static final int CONNECTIONS = 8;

  private final String jdbcUrl;
  private final Properties props;
  private final String location;
  private final Duration lease;
  private final Runnable partWay;
  private final int versionFound;

  /** Connections not in use, most recently used first. Guarded by itself. */
  private final Deque<Connection> idle = new ArrayDeque<>();

  private final Semaphore connections = new Semaphore(CONNECTIONS);

  /**
   * The renewer's own connection, made before this process's first lease ({@link #renewable}); only
   * the renewer's thread uses it, and close aborts it.
   */
  private volatile Connection renewals;

  private final Set<Long> held = ConcurrentHashMap.newKeySet();

  /** The keys this process holds by {@link #lease}, for what was read with them. */
  private final Map<String, KeyLease> leased = new ConcurrentHashMap<>();

  private final Thread renewer;
  private volatile boolean closed;
  private volatile boolean outcomesUnforced;
  private volatile List<Problem> problems = List.of();

  private PostgresJournal(
      Connection first,
      String jdbcUrl,
      Properties props,
      String location,
      Duration lease,
      Runnable partWay,
      int versionFound) {
    this.idle.push(first);
    this.jdbcUrl = jdbcUrl;
    this.props = props;
    this.versionFound = versionFound;
    this.location = location;
    this.lease = lease;
    this.partWay = partWay;
    this.renewer = new Thread(this::renew, "edlink-idem-lease-renewer");
    renewer.setDaemon(true);
    renewer.start();
  }

  /**
   * Connects to {@code target} (the journal's tables made or brought up to date on first use) as
   * {@code user} with {@code password} (null when the server asks for none).
   */
  public static PostgresJournal open(PostgresTarget target, String user, String password)
      throws JournalException {
    return open(target, user, password, true, LEASE);
  }

  /**
   * As above, with leases lasting {@code lease} unless renewed ({@code EDLINK_IDEM_LEASE}, for
   * tests of a holder paused past it); with {@code makeTables} false, for reading a journal that
   * must be there already (a merge's source): a database without the journal's tables is refused,
   * never given them.
   */
  public static PostgresJournal open(
      PostgresTarget target, String user, String password, boolean makeTables, Duration lease)
      throws JournalException {
    Properties props = new Properties();
    props.setProperty("user", user);
    // None found is none: the driver must not look for one of its own (a .pgpass under the JVM's
    // home rather than the home the tool was given, or one the tool refused as open to others).
    props.setProperty("password", password == null ? "" : password);
    props.setProperty("sslmode", target.sslmode());
    if (target.sslRootCert() != null) {
      props.setProperty("sslrootcert", target.sslRootCert());
    }
    props.setProperty("ApplicationName", "edlink-idem");
    props.setProperty("tcpKeepAlive", "true");
    return open(target.jdbcUrl(), props, target.shown(), lease, () -> {}, makeTables);
  }

  /**
   * @param partWay run in the middle of a remove's or a merge's transaction, for tests that stop
   *     one part-way
   */
  static PostgresJournal open(
      String jdbcUrl, Properties props, String location, Duration lease, Runnable partWay)
      throws JournalException {
    return open(jdbcUrl, props, location, lease, partWay, true);
  }

  private static PostgresJournal open(
      String jdbcUrl,
      Properties props,
      String location,
      Duration lease,
      Runnable partWay,
      boolean makeTables)
      throws JournalException {
    Properties given = props;
    props = new Properties();
    props.putAll(given);
    // No call waits without a bound on a server that stopped answering (its processes paused, a
    // partition on an open connection): it fails, and what was not committed is not.
    props.putIfAbsent("connectTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
    props.putIfAbsent("loginTimeout", Long.toString(CONNECT_TIMEOUT.toSeconds()));
    props.putIfAbsent("socketTimeout", Long.toString(CALL_TIMEOUT.toSeconds()));
    Connection db = null;
    try {
      db = connect(jdbcUrl, props, location);
      int found;
      if (makeTables) {
        found = Schema.migrate(db, location);
      } else if ((found = Schema.version(db)) != Schema.VERSION) {
        throw new PostgresSettingException(
            found == 0
                ? "there is no edlink-idem journal at " + location
                : "the journal at "
                    + location
                    + " has schema version "
                    + found
                    + ", not "
                    + Schema.VERSION
                    + "; open it as the journal (--journal) with this edlink-idem first");
      }
      // The renewer's connection is made before the first lease: a command that takes none
      // (list, show) never needs it.
      return new PostgresJournal(db, jdbcUrl, props, location, lease, partWay, found);
    } catch (SQLException e) {
      closeQuietly(db);
      throw new JournalException(
          "cannot open the journal at " + location + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(db);
      throw e;
    }
  }

  /** How long connecting may take, and logging in. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * How long a statement may wait for the server's answer (the driver's {@code socketTimeout}):
   * every statement the journal runs is short, or streams its rows as they come.
   */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * The driver's logger, silenced: what goes wrong reaches the user as one line of the tool's own,
   * not as the driver's log records on stderr. Held here so that it is not collected with its
   * level.
   */
  private static final Logger DRIVER_LOG = Logger.getLogger("org.postgresql");

  private static Connection connect(String jdbcUrl, Properties props, String location)
      throws SQLException {
    DRIVER_LOG.setLevel(Level.OFF);
    Connection c = new org.postgresql.Driver().connect(jdbcUrl, props);
    if (c == null) {
      throw new SQLException("the driver does not take " + location);
    }
    // In one round trip. Whatever the server's default: a commit returns once it is on the
    // server's disk. A lease row locked by another's open transaction is a key in flight, not a
    // wait. A process stopped inside a transaction of its own (SIGSTOP, a runner pre-empted)
    // holds row locks: the server ends it, rather than let it keep others' renewals from its rows.
    try (Statement s = c.createStatement()) {
      s.execute(
          "set synchronous_commit = on; set lock_timeout = '2s';"
              + " set idle_in_transaction_session_timeout = '30s'");
    }
    return c;
  }

  @Override
  public String location() {
    return location;
  }

  /** The schema version this tool writes. */
  public static int schemaVersion() {
    return Schema.VERSION;
  }

  /** The schema version the database had when this handle opened it: 0 for none. */
  public int versionFound() {
    return versionFound;
  }

  @Override
  public List<Entry> entries() throws JournalException {
    try {
      return repeatable(
          c -> {
            try (Statement s = c.createStatement();
                ResultSet r =
                    s.executeQuery("select record from edlink_idem_records order by id")) {
              return List.copyOf(fold(r, true).entries().values());
            }
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  @Override
  public Optional<Entry> find(String key) throws JournalException {
    return read(key).entry();
  }

  @Override
  public List<EntrySummary> summaries() throws JournalException {
    try {
      return repeatable(
          c -> {
            List<EntrySummary> all = new ArrayList<>();
            Map<String, String> texts = new HashMap<>();
            try (Statement s = c.createStatement();
                ResultSet r =
                    s.executeQuery(
                        "select "
                            + SUMMARY_COLUMNS
                            + " from edlink_idem_entries order by first_record")) {
              while (r.next()) {
                all.add(summary(r, texts));
              }
            }
            return all;
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /** What {@link #summary} reads, in its order. */
  private static final String SUMMARY_COLUMNS =
      "key, created_ns, state, status, attempts, method, url, finished_ns, via";

  /**
   * The summary in the row {@code r} is at. Entries are many, and their methods, URLs and ways of
   * ending few: each of those is kept once, in {@code texts}, not once per row.
   */
  private static EntrySummary summary(ResultSet r, Map<String, String> texts) throws SQLException {
    long finished = r.getLong(8);
    boolean pending = r.wasNull();
    return new EntrySummary(
        r.getString(1),
        instant(r.getLong(2)),
        EntryState.fromLabel(r.getString(3)),
        r.getInt(4),
        r.getInt(5),
        once(texts, r.getString(6)),
        once(texts, r.getString(7)),
        pending ? null : instant(finished),
        once(texts, r.getString(9)));
  }

  private static String once(Map<String, String> texts, String text) {
    return text == null ? null : texts.computeIfAbsent(text, t -> t);
  }

  /** The rows picked, and no others, read along an index of starts (see {@link Schema}). */
  @Override
  public List<EntrySummary> summaries(Selection selection) throws JournalException {
    try {
      return repeatable(
          c -> {
            List<EntrySummary> picked = new ArrayList<>();
            Map<String, String> texts = new HashMap<>();
            try (PreparedStatement ps = selecting(c, SUMMARY_COLUMNS, selection);
                ResultSet r = ps.executeQuery()) {
              while (r.next()) {
                picked.add(summary(r, texts));
              }
            }
            c.commit();
            c.setAutoCommit(true);
            return picked;
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /**
   * Each key is handed on as its row arrives, a few thousand rows at a time: a million keys are
   * never all in memory.
   */
  @Override
  public void keys(Selection selection, Consumer<String> each) throws JournalException {
    streamed("key", selection, (r, texts) -> r.getString(1), each);
  }

  /** Each summary handed on as its row arrives, as {@link #keys} hands on keys. */
  @Override
  public void summaries(Selection selection, Consumer<EntrySummary> each) throws JournalException {
    streamed(SUMMARY_COLUMNS, selection, PostgresJournal::summary, each);
  }

  /**
   * What {@code row} makes of each row {@code selection} picks, handed to {@code each} in order:
   * read on a thread of its own (see {@link ReadAhead}), so that the server makes the next rows
   * while {@code each} takes these. Read again on a new connection only when the server was lost
   * before the first row was handed on: read again after (even once every row was, and only the
   * commit's answer was lost), rows would be handed on twice.
   */
  private <T> void streamed(String columns, Selection selection, Row<T> row, Consumer<T> each)
      throws JournalException {
    ReadAhead.run(
        "edlink-idem-read-ahead",
        handOn -> {
          Map<String, String> texts = new HashMap<>();
          boolean[] handedOn = {false};
          try {
            repeatable(
                c -> {
                  // The read's end, its commit, too: a commit whose answer was lost after rows
                  // were handed on fails the read rather than run it again.
                  try {
                    try (PreparedStatement ps = selecting(c, columns, selection);
                        ResultSet r = ps.executeQuery()) {
                      while (r.next()) {
                        T item = row.read(r, texts);
                        handedOn[0] = true;
                        handOn.accept(item);
                      }
                    }
                    c.commit();
                    c.setAutoCommit(true);
                  } catch (SQLException e) {
                    if (handedOn[0]) {
                      throw cannotRead(e);
                    }
                    throw e;
                  }
                  return null;
                });
          } catch (SQLException e) {
            throw cannotRead(e);
          }
        },
        each,
        location);
  }

  /** Rows fetched at a time by a read that streams. */
  static final int FETCH = 4096;

  /**
   * The statement that reads {@code columns} of the summaries {@code selection} picks, in its
   * order, in a transaction begun on {@code c} so that its rows are fetched {@link #FETCH} at a
   * time: each fetch a statement of its own, short whatever the server's {@code statement_timeout},
   * however slowly the rows are taken.
   */
  private static PreparedStatement selecting(Connection c, String columns, Selection selection)
      throws SQLException {
    String sql =
        "select "
            + columns
            + " from edlink_idem_entries"
            + picking(selection)
            + (selection.order() == Selection.Order.NEWEST_FIRST
                ? " order by created_ns desc, key"
                : " order by created_ns, key")
            + (selection.limit() == Selection.NO_LIMIT ? "" : " limit " + selection.limit());
    c.setAutoCommit(false);
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      ps.setFetchSize(FETCH);
      return ps;
    } catch (SQLException | RuntimeException e) {
      ps.close();
      throw e;
    }
  }

  /**
   * The condition on the summaries' rows that {@code selection} picks, its values written in: a
   * state's label, instants as nanoseconds, all made here (none is text a user typed). Written in,
   * the state also lets the planner use the index of pending entries whatever plan it keeps.
   */
  private static String picking(Selection selection) {
    StringBuilder sql = new StringBuilder(" where true");
    if (selection.state() != null) {
      sql.append(" and state = '").append(selection.state().label()).append('\'');
    }
    if (selection.created() != null) {
      if (selection.created().after() != null) {
        sql.append(" and created_ns > ").append(heldNanos(selection.created().after()));
      }
      sql.append(" and created_ns <= ").append(heldNanos(selection.created().until()));
    }
    return sql.toString();
  }

  /** Counted along the same indexes as {@link #summaries(Selection)} reads; no row is fetched. */
  @Override
  public int count(Selection selection) throws JournalException {
    return (int)
        Math.min(
            number("select count(*) from edlink_idem_entries" + picking(selection)),
            selection.limit());
  }

  /** The number in the one row {@code sql} reads. */
  private long number(String sql) throws JournalException {
    try {
      return repeatable(
          c -> {
            try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
              r.next();
              return r.getLong(1);
            }
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /**
   * A few keys' neighbours are looked up in the primary key's index, two probes each; for many, one
   * walk along all of it costs less (see {@link #PROBES_UP_TO}).
   */
  @Override
  public Map<String, Neighbours> neighbours(Collection<String> keys) throws JournalException {
    if (keys.isEmpty()) {
      return Map.of();
    }
    return neighbours(keys, (long) keys.size() * PROBES_UP_TO <= estimatedKeys());
  }

  /** How many keys the journal holds, as the planner estimates: -1 before the first analyze. */
  private long estimatedKeys() throws JournalException {
    return number("select reltuples from pg_class where oid = 'edlink_idem_entries'::regclass");
  }

  /**
   * One probe of the primary key's index per key finds whether another key starts with the same
   * {@code chars} characters, and only the keys that have one get their neighbours (two probes
   * more); for very many keys, one walk along the index costs less (see {@link
   * #SHARING_PROBES_UP_TO}).
   */
  @Override
  public Map<String, Neighbours> neighboursSharing(Collection<String> keys, int chars)
      throws JournalException {
    // Sorted (as String does: the key column's order but for characters past U+D7FF), the probes
    // walk the index from one end to the other, each near the one before: at a million keys,
    // 100,000 of them took about 300 ms so, and 440 in a listing's order.
    List<String> asked = keys.stream().filter(k -> k.length() >= chars).sorted().toList();
    if (asked.isEmpty()) {
      return Map.of();
    }
    return neighboursSharing(
        asked, chars, (long) asked.size() * SHARING_PROBES_UP_TO <= estimatedKeys());
  }

  /**
   * {@link #neighboursSharing(Collection, int)} of {@code asked} (sorted, none shorter than {@code
   * chars}), found by probes or by one walk along the key index.
   */
  Map<String, Neighbours> neighboursSharing(List<String> asked, int chars, boolean probe)
      throws JournalException {
    if (!probe) {
      return Neighbours.sharing(neighbours(asked, false), chars);
    }
    if (asked.size() < PROBES_SPLIT_FROM) {
      return Neighbours.sharing(probed(asked, chars), chars);
    }
    // Many keys: half of them probed on a second connection meanwhile, so that the server works
    // on both halves at once (each key's answer is its own, so the halves are merged as they are).
    // The journal's idle connection goes to whichever half asks first, and the other opens one.
    // When that cannot be done (a role's connection limit, a server's max_connections shared by
    // a fleet) or fails, its half is probed again once the other's connection is free, as one
    // connection did before, rather than fail a listing for the width of its key column.
    List<String> firstHalf = asked.subList(0, asked.size() / 2);
    List<String> secondHalf = asked.subList(firstHalf.size(), asked.size());
    FutureTask<Map<String, Neighbours>> first = new FutureTask<>(() -> probed(firstHalf, chars));
    Thread helper = new Thread(first, "edlink-idem-neighbours");
    helper.setDaemon(true);
    helper.start();
    Map<String, Neighbours> found = new HashMap<>();
    boolean secondDone = false;
    try {
      found.putAll(probed(secondHalf, chars));
      secondDone = true;
    } catch (JournalException e) {
      // probed again below, once the helper's connection is free
    }
    boolean firstDone = false;
    try {
      found.putAll(first.get());
      firstDone = true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      if (!(e.getCause() instanceof JournalException)) {
        throw new JournalException(
            "cannot read the journal at " + location + ": " + e.getCause().getMessage(),
            e.getCause());
      }
    } catch (InterruptedException e) {
      // The helper's half ends on its own, and is not waited for.
      Thread.currentThread().interrupt();
      throw new JournalException("interrupted while reading the journal at " + location, e);
    }
    if (!firstDone) {
      found.putAll(probed(firstHalf, chars));
    }
    if (!secondDone) {
      found.putAll(probed(secondHalf, chars));
    }
    return Neighbours.sharing(found, chars);
  }

  /**
   * Keys probed in two halves at once from this many: at a million keys, {@code expiring} on a
   * terminal of 120 columns (99,768 keys probed) took a median of 1.69 s so against 1.90
   * (docs/benchmarks.md); a few thousand keys take a few milliseconds, less than a second
   * connection costs to open.
   */
  private static final int PROBES_SPLIT_FROM = 8192;

  /**
   * Each of {@code asked} (sorted, none shorter than {@code chars}) whose first {@code chars}
   * characters start another key too, with its neighbours; one probe of the key index a key.
   */
  private Map<String, Neighbours> probed(List<String> asked, int chars) throws JournalException {
    String[] from = new String[asked.size()];
    String[] until = new String[asked.size()];
    for (int i = 0; i < from.length; i++) {
      String prefix = asked.get(i).substring(0, chars);
      // Not half a surrogate pair, which the database cannot hold: one character fewer finds more
      // keys, never fewer, and the rule below keeps only the right ones.
      if (Character.isHighSurrogate(prefix.charAt(chars - 1))) {
        prefix = prefix.substring(0, chars - 1);
      }
      from[i] = prefix;
      until[i] = pastPrefix(prefix);
    }
    try {
      return repeatable(
          c -> {
            Map<String, Neighbours> near = new HashMap<>();
            try (PreparedStatement ps =
                c.prepareStatement(
                    "select k, (select max(key) from edlink_idem_entries where key < k),"
                        + " (select min(key) from edlink_idem_entries where key > k)"
                        + " from unnest(?::text[], ?::text[], ?::text[]) as asked(k, lo, hi)"
                        + " where hi is null or exists (select from edlink_idem_entries"
                        + " where key >= lo and key < hi and key <> k)")) {
              ps.setArray(1, c.createArrayOf("text", asked.toArray()));
              ps.setArray(2, c.createArrayOf("text", from));
              ps.setArray(3, c.createArrayOf("text", until));
              try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                  near.put(r.getString(1), new Neighbours(r.getString(2), r.getString(3)));
                }
              }
            }
            return near;
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /**
   * The least text after every text that starts with {@code prefix}, in the key column's order
   * (code points): its last character one code point on; null when there is none (only U+10FFFF).
   */
  static String pastPrefix(String prefix) {
    int end = prefix.length();
    while (end > 0) {
      int last = prefix.codePointBefore(end);
      end -= Character.charCount(last);
      if (last < Character.MAX_CODE_POINT) {
        int next = last + 1 == Character.MIN_SURROGATE ? Character.MAX_SURROGATE + 1 : last + 1;
        return prefix.substring(0, end) + Character.toString(next);
      }
    }
    return null;
  }

  /** The neighbours of {@code keys}, found by probes or by one walk along the key index. */
  Map<String, Neighbours> neighbours(Collection<String> keys, boolean probe)
      throws JournalException {
    try {
      return repeatable(
          c -> {
            Map<String, Neighbours> found = new HashMap<>();
            try (PreparedStatement ps =
                c.prepareStatement(
                    probe
                        ? "select k, (select max(key) from edlink_idem_entries where key < k),"
                            + " (select min(key) from edlink_idem_entries where key > k)"
                            + " from unnest(?::text[]) as asked(k)"
                        : "select key, before, after from (select key, lag(key) over w as before,"
                            + " lead(key) over w as after from edlink_idem_entries"
                            + " window w as (order by key)) around where key = any (?::text[])")) {
              ps.setArray(1, c.createArrayOf("text", keys.toArray()));
              try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                  found.put(r.getString(1), new Neighbours(r.getString(2), r.getString(3)));
                }
              }
            }
            return found;
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /**
   * The walk costs about as much as probing one key in this many: at a million keys, probes took
   * 874 ms for 60,000 of them and the walk 1,056; for 100,000, 1,569 against 1,049.
   */
  private static final int PROBES_UP_TO = 12;

  /**
   * As {@link #PROBES_UP_TO}, for {@link #neighboursSharing}'s one probe a key (sorted): at a
   * million keys, 100,000 took about 300 ms against the walk's 0.9-1.0 s. Not measured at the
   * crossing: a guess from those two figures, kept low.
   */
  private static final int SHARING_PROBES_UP_TO = 4;

  @Override
  public List<String> keysStartingWith(String prefix) throws JournalException {
    return inSpan(prefix, "key", "", "key", (r, texts) -> r.getString(1));
  }

  @Override
  public List<String> keysToOffer(String prefix, boolean pendingOnly) throws JournalException {
    return inSpan(
        prefix,
        "key",
        pendingOnly ? " and state = 'pending'" : "",
        "first_record desc",
        (r, texts) -> r.getString(1));
  }

  @Override
  public List<EntrySummary> summariesStartingWith(String prefix) throws JournalException {
    return inSpan(prefix, SUMMARY_COLUMNS, "", "key", PostgresJournal::summary);
  }

  /** What one row of a read is made into; texts repeated from row to row are kept once. */
  private interface Row<T> {
    T read(ResultSet r, Map<String, String> texts) throws SQLException;
  }

  /**
   * The rows whose keys start with {@code prefix}, read as a span of the key index (from the prefix
   * to the first text past every key that starts so), with the conditions {@code also}, in {@code
   * order}: {@code columns}, the key first, each made into one {@code T}.
   */
  private <T> List<T> inSpan(String prefix, String columns, String also, String order, Row<T> row)
      throws JournalException {
    String past = pastPrefix(prefix);
    try {
      return repeatable(
          c -> {
            List<T> rows = new ArrayList<>();
            Map<String, String> texts = new HashMap<>();
            try (PreparedStatement ps =
                c.prepareStatement(
                    "select "
                        + columns
                        + " from edlink_idem_entries where key >= ?"
                        + (past == null ? "" : " and key < ?")
                        + also
                        + " order by "
                        + order)) {
              ps.setString(1, prefix);
              if (past != null) {
                ps.setString(2, past);
              }
              try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                  if (r.getString(1).startsWith(prefix)) {
                    rows.add(row.read(r, texts));
                  }
                }
              }
            }
            return rows;
          });
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  @Override
  public Compaction remove(Collection<String> keys, boolean dryRun) throws JournalException {
    return change(
        new LinkedHashSet<>(keys),
        dryRun,
        (c, leased, changed, skipped) -> {
          long now = nanos(Instant.now());
          for (String key : leased) {
            Entry entry = entryOf(c, key);
            // Its records unreadable, its summary still says when its window ends.
            Long windowEnd =
                entry != null ? Long.valueOf(nanos(entry.window().end())) : windowEndOf(c, key);
            if (windowEnd == null) {
              continue; // nothing of it here
            }
            try (PreparedStatement ps =
                c.prepareStatement(
                    "insert into edlink_idem_tombstones (key, fingerprint, window_end_ns,"
                        + " pruned_ns) values (?, ?, ?, ?) on conflict (key) do update set"
                        + " fingerprint = excluded.fingerprint, window_end_ns ="
                        + " excluded.window_end_ns, pruned_ns = excluded.pruned_ns")) {
              ps.setString(1, key);
              ps.setString(2, entry != null ? entry.fingerprint() : "");
              ps.setLong(3, windowEnd);
              ps.setLong(4, now);
              ps.executeUpdate();
            }
            deleteKey(c, key);
            changed.add(key);
            partWay.run();
          }
        });
  }

  @Override
  public Compaction merge(List<Entry> incoming, boolean dryRun) throws JournalException {
    Set<String> keys = new LinkedHashSet<>();
    incoming.forEach(e -> keys.add(e.key()));
    return change(
        keys,
        dryRun,
        (c, leased, changed, skipped) -> {
          for (Entry theirs : incoming) {
            if (!leased.contains(theirs.key())) {
              continue; // in flight elsewhere: already reported
            }
            Entry ours = entryOf(c, theirs.key());
            MergeRule.Decision d =
                MergeRule.decide(theirs, ours, ours == null ? tombstoneOf(c, theirs.key()) : null);
            if (d.skipped()) {
              skipped.add(new Compaction.Skipped(theirs.key(), d.reason()));
            } else if (d.changes()) {
              if (ours != null) {
                deleteKey(c, ours.key());
              }
              write(c, d.entry());
              changed.add(theirs.key());
            }
            partWay.run();
          }
        });
  }

  /** Decides and writes a remove's or a merge's changes, in its transaction on {@code c}. */
  private interface Change {
    void apply(
        Connection c, Set<String> leased, List<String> changed, List<Compaction.Skipped> skipped)
        throws SQLException, JournalException;
  }

  /**
   * Leases the keys (skipping those in flight elsewhere), then makes the change in one transaction:
   * all of it, or, when anything fails or it is a dry run, none.
   */
  private Compaction change(Set<String> keys, boolean dryRun, Change change)
      throws JournalException {
    Map<String, Long> taken = new LinkedHashMap<>();
    try {
      takeAll(keys, taken);
      List<Compaction.Skipped> skipped = new ArrayList<>();
      for (String key : keys) {
        if (!taken.containsKey(key)) {
          skipped.add(new Compaction.Skipped(key, "in flight in another process"));
        }
      }
      try {
        return using(
            c -> {
              c.setAutoCommit(false);
              // Held under the rows' locks to the commit: a process taking a key over once its
              // lease ran out (this one paused) waits for this transaction, then sees what it did.
              checkAllStillMine(c, taken);
              long before = bytes(c);
              List<String> changed = new ArrayList<>();
              change.apply(c, taken.keySet(), changed, skipped);
              long after = bytes(c);
              if (dryRun || changed.isEmpty()) {
                c.rollback();
              } else {
                c.commit();
              }
              c.setAutoCommit(true);
              return new Compaction(changed, skipped, before, changed.isEmpty() ? before : after);
            });
      } catch (SQLException e) {
        throw new JournalException(
            "cannot change the journal at "
                + location
                + ": "
                + e.getMessage()
                + "; it is unchanged",
            e);
      }
    } finally {
      giveBackAll(taken.values());
    }
  }

  /** Keys a merge or a remove takes in one statement. */
  private static final int TAKE_AT_ONCE = 1000;

  /**
   * Takes the leases of {@code keys} for a merge or a remove, many in one statement, and puts the
   * holder number of each key taken in {@code taken}; a key whose lease is in force elsewhere is
   * left out. A key's row locked by another's open transaction fails its whole statement: its keys
   * are then taken one at a time.
   */
  private void takeAll(Collection<String> keys, Map<String, Long> taken) throws JournalException {
    renewable();
    List<String> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += TAKE_AT_ONCE) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + TAKE_AT_ONCE));
      try {
        take(chunk, taken);
      } catch (SQLException e) {
        if (!lockedElsewhere(e)) {
          throw cannotTake(e);
        }
        for (String key : chunk) {
          try {
            take(List.of(key), taken);
          } catch (SQLException one) {
            if (!lockedElsewhere(one)) {
              throw cannotTake(one);
            }
          }
        }
      }
    }
  }

  private void take(List<String> keys, Map<String, Long> taken)
      throws SQLException, JournalException {
    long[] holders = newHolders(keys.size());
    List<Long> mine = new ArrayList<>();
    for (long h : holders) {
      mine.add(h);
    }
    held.addAll(mine);
    Map<String, Long> got;
    try {
      got = repeatable(c -> upsertLeases(c, keys, holders));
    } catch (SQLException | JournalException | RuntimeException e) {
      giveBackAll(mine);
      throw e;
    }
    List<Long> unused = new ArrayList<>(mine);
    unused.removeAll(got.values());
    held.removeAll(unused);
    for (String key : keys) {
      Long holder = got.get(key);
      if (holder != null) {
        taken.put(key, holder);
      }
    }
  }

  private JournalException cannotTake(SQLException e) {
    return new JournalException(
        "cannot take keys in the journal at " + location + ": " + e.getMessage(), e);
  }

  /**
   * Locks the lease rows of {@code taken} to the end of the transaction under way on {@code c}, and
   * checks that each still names its holder here.
   */
  private void checkAllStillMine(Connection c, Map<String, Long> taken)
      throws SQLException, JournalException {
    if (taken.isEmpty()) {
      return;
    }
    Map<String, Long> rows = new HashMap<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "select key, holder from edlink_idem_leases where key = any (?) order by key"
                + " for update")) {
      ps.setArray(1, c.createArrayOf("text", taken.keySet().toArray()));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          rows.put(r.getString(1), r.getLong(2));
        }
      }
    }
    for (Map.Entry<String, Long> mine : taken.entrySet()) {
      if (!mine.getValue().equals(rows.get(mine.getKey()))) {
        throw leaseLost(mine.getKey());
      }
    }
  }

  /**
   * Gives back leases of this process in one statement, its own transaction, committed without
   * waiting for the disk: a lease given back and lost with a crash of the server runs out instead.
   */
  private void giveBackAll(Collection<Long> holders) {
    if (holders.isEmpty()) {
      return;
    }
    held.removeAll(holders);
    if (closed) {
      return;
    }
    try {
      using(
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "delete from edlink_idem_leases where holder = any (?)"
                        + " and (select set_config('synchronous_commit', 'off', true))"
                        + " is not null")) {
              ps.setArray(1, c.createArrayOf("bigint", holders.toArray()));
              ps.executeUpdate();
            }
            return null;
          });
    } catch (SQLException | JournalException e) {
      // Not given back, they run out: nothing written depends on them.
    }
  }

  private JournalException leaseLost(String key) {
    return new JournalException(
        "the lease on key "
            + key
            + " in the journal at "
            + location
            + " passed to another process while this one was paused or cut off;"
            + " nothing more was recorded here");
  }

  @Override
  public Optional<Tombstone> tombstone(String key) throws JournalException {
    KeyLease mine = leased.get(key);
    if (mine != null) {
      return Optional.ofNullable(mine.tombstone); // read with the lease; only a lease changes it
    }
    try {
      return Optional.ofNullable(repeatable(c -> tombstoneOf(c, key)));
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  @Override
  public List<Tombstone> forgetTombstones(Instant endedBefore, boolean dryRun)
      throws JournalException {
    try {
      return using(
          c -> {
            List<Tombstone> forgotten = new ArrayList<>();
            try (PreparedStatement ps =
                c.prepareStatement(
                    dryRun
                        ? "select key, fingerprint, window_end_ns, pruned_ns from"
                            + " edlink_idem_tombstones where window_end_ns < ? order by key"
                        : "delete from edlink_idem_tombstones where window_end_ns < ?"
                            + " returning key, fingerprint, window_end_ns, pruned_ns")) {
              ps.setLong(1, nanos(endedBefore));
              try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                  forgotten.add(tombstone(r));
                }
              }
            }
            return forgotten;
          });
    } catch (SQLException e) {
      throw new JournalException(
          "cannot change the journal at " + location + ": " + e.getMessage() + "; it is unchanged",
          e);
    }
  }

  @Override
  public List<Problem> problems() {
    return problems;
  }

  /**
   * From now on an outcome is committed without waiting for the server's disk ({@code
   * synchronous_commit} off for its transaction): a crash of the server may lose the latest ones,
   * and their entries then read as pending, which is safe (see {@link Journal}). The server writes
   * its log in order, so a later begin's commit, which waits, carries them to disk with it.
   */
  /** Commits that waited for the disk, and the keys' writes in them. */
  @Override
  public long[] forcesShared() {
    synchronized (forced) {
      return forced.clone();
    }
  }

  /** {@link #forcesShared}'s figures. Guarded by itself. */
  private final long[] forced = new long[2];

  /** Groups of writes run and the calls in them, for tests. */
  long[] writeGroups() {
    return appends.counts();
  }

  /** Calls waiting for a group (taking leases, writing records), for tests. */
  int callsWaiting() {
    return leaseTakes.waiting() + appends.waiting();
  }

  /** Groups of leases taken together and the calls in them, for tests. */
  long[] leaseGroups() {
    return leaseTakes.counts();
  }

  @Override
  public void leaveOutcomesUnforced() {
    outcomesUnforced = true;
  }

  /**
   * Takes the key: a new row, or the row of a lease that ran out, given a new holder number. The
   * commit need not wait for the disk: a lease lost with a crash of the server makes the holder's
   * next write fail its check, and a write that waits carries it to disk first. In the same
   * transaction, once the row is taken, the key's records are read: no one else writes them until
   * the lease is given back.
   */
  @Override
  public Lease lease(String key) throws JournalException, KeyInFlightException {
    Object taken = takeLeases(List.of(key))[0];
    if (taken instanceof KeyLease lease) {
      return lease;
    }
    throw new KeyInFlightException(key, (Instant) taken);
  }

  /** Both keys in one statement, and what they hold in one read. */
  @Override
  public Lease[] leaseBoth(String first, String second)
      throws JournalException, KeyInFlightException {
    if (first.equals(second)) {
      return Journal.super.leaseBoth(first, second);
    }
    Object[] taken = takeLeases(List.of(first, second));
    if (!(taken[0] instanceof KeyLease a)) {
      if (taken[1] instanceof KeyLease b) {
        b.close();
      }
      throw new KeyInFlightException(first, (Instant) taken[0]);
    }
    return new Lease[] {a, taken[1] instanceof KeyLease b ? b : null};
  }

  /**
   * Takes the leases of {@code keys} (distinct) in one statement, and reads the records and
   * tombstones of those taken in one more: for each key, its {@link KeyLease}, or, when another
   * process holds it, when that hold runs out (null if not known). A row locked by another's open
   * transaction makes the keys be taken one at a time, where it counts as a key in flight.
   */
  private Object[] takeLeases(List<String> keys) throws JournalException {
    return leaseTakes.call(keys);
  }

  /** Leases asked for by many threads at once, taken in one statement and one read. */
  private final GroupedCalls<List<String>, Object[]> leaseTakes =
      new GroupedCalls<>(this::takeGroup, keys -> keys, GROUP_MOST);

  /** How many calls a group holds at most. */
  private static final int GROUP_MOST = 64;

  /**
   * {@link #takeNow} for every call of a group at once; when that fails, for each call alone, so
   * that each hears its own failure and a failure of one key's is not the others'.
   */
  private List<GroupedCalls.Result<Object[]>> takeGroup(List<List<String>> group) {
    if (group.size() > 1) {
      List<String> all = new ArrayList<>();
      group.forEach(all::addAll);
      try {
        Object[] taken = takeNow(all);
        List<GroupedCalls.Result<Object[]>> results = new ArrayList<>();
        int from = 0;
        for (List<String> keys : group) {
          results.add(GroupedCalls.Result.of(Arrays.copyOfRange(taken, from, from + keys.size())));
          from += keys.size();
        }
        return results;
      } catch (JournalException e) {
        // Nothing of it is held: each alone, below.
      }
    }
    List<GroupedCalls.Result<Object[]>> results = new ArrayList<>();
    for (List<String> keys : group) {
      try {
        results.add(GroupedCalls.Result.of(takeNow(keys)));
      } catch (JournalException e) {
        results.add(GroupedCalls.Result.failed(e));
      }
    }
    return results;
  }

  /** {@link #takeLeases}, in a statement of its own. */
  private Object[] takeNow(List<String> keys) throws JournalException {
    renewable();
    long[] holders = new long[keys.size()];
    try {
      for (int i = 0; i < holders.length; i++) {
        holders[i] = newHolder();
      }
    } catch (SQLException e) {
      throw cannotTake(keys.get(0), e);
    }
    List<Long> mine = new ArrayList<>();
    for (long h : holders) {
      mine.add(h);
    }
    // Known to this process before the rows are written: a commit whose answer was lost, run
    // again, finds its own rows, not another process's.
    held.addAll(mine);
    Object[] taken;
    try {
      taken = repeatable(c -> take(c, keys, holders));
    } catch (SQLException e) {
      giveBackAll(mine);
      if (lockedElsewhere(e)) {
        if (keys.size() == 1) {
          return new Object[] {null}; // another process is changing it now
        }
        // The keys whose rows another transaction holds are in flight (null: when their hold
        // ends is not known); the rest are taken again without them, at once, rather than each
        // waiting out the lock timeout behind them. Only when no row is found locked (the wait
        // was for another's uncommitted new row) are the keys taken one at a time.
        Set<String> locked = lockedRows(keys);
        Object[] one = new Object[keys.size()];
        try {
          if (!locked.isEmpty()) {
            List<String> rest = keys.stream().filter(k -> !locked.contains(k)).toList();
            Object[] got = rest.isEmpty() ? new Object[0] : takeNow(rest);
            for (int i = 0, r = 0; i < keys.size(); i++) {
              one[i] = locked.contains(keys.get(i)) ? null : got[r++];
            }
            return one;
          }
          for (int i = 0; i < keys.size(); i++) {
            one[i] = takeNow(List.of(keys.get(i)))[0];
          }
        } catch (JournalException | RuntimeException failed) {
          for (Object o : one) {
            if (o instanceof KeyLease got) {
              got.close(); // never returned: nobody else would give it back
            }
          }
          throw failed;
        }
        return one;
      }
      throw cannotTake(keys.get(0), e);
    } catch (JournalException | RuntimeException e) {
      giveBackAll(mine);
      throw e;
    }
    for (int i = 0; i < taken.length; i++) {
      if (taken[i] instanceof KeyLease lease) {
        leased.put(lease.key, lease);
      } else {
        held.remove(holders[i]);
      }
    }
    return taken;
  }

  /**
   * Which of {@code keys} have a lease row that another transaction holds locked now: asked without
   * waiting ({@code skip locked}), in a statement of its own. None when it cannot be told.
   */
  private Set<String> lockedRows(List<String> keys) {
    try {
      return repeatable(
          c -> {
            Set<String> locked = new HashSet<>();
            try (PreparedStatement ps =
                c.prepareStatement(
                    "select key from edlink_idem_leases where key = any (?)"
                        + " except select key from (select key from edlink_idem_leases"
                        + " where key = any (?) order by key for update skip locked) as free")) {
              Array array = c.createArrayOf("text", keys.toArray());
              ps.setArray(1, array);
              ps.setArray(2, array);
              try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                  locked.add(r.getString(1));
                }
              }
            }
            return locked;
          });
    } catch (SQLException | JournalException e) {
      return Set.of();
    }
  }

  /**
   * Writes the lease rows of keys (the second parameter) for holders (the third; one each, in the
   * same order), for a lease of the first (seconds), in one statement, its own transaction,
   * committed without waiting for the disk (set_config, local to the transaction): a new row, a row
   * whose lease ran out, or a row these holders already have (a statement whose answer was lost,
   * run again). Returns each key taken and its holder.
   */
  private static final String TAKE_LEASES =
      "insert into edlink_idem_leases (key, holder, expires_at)"
          + " select t.k, t.h, now() + make_interval(secs => ?)"
          + " from unnest(?::text[], ?::bigint[]) as t(k, h),"
          + " (select set_config('synchronous_commit', 'off', true)) as c"
          // In one order for every taker: two that want some of the same keys wait for each
          // other, rather than each hold a row the other waits for.
          + " order by t.k"
          + " on conflict (key) do update set holder = excluded.holder,"
          + " expires_at = excluded.expires_at"
          + " where edlink_idem_leases.expires_at < now()"
          + " or edlink_idem_leases.holder = excluded.holder"
          + " returning key, holder";

  /**
   * The records (first column 1, with their ids) and tombstones (2) of the keys given twice, key by
   * key through the indexes: a plan that the server keeps from when the tables were small (a new
   * journal) still reads no other rows once they are large.
   */
  private static final String HELD =
      "select 1, k.key, r.id, r.record, null, null::bigint, null::bigint"
          + " from unnest(?::text[]) as k(key) cross join lateral (select id, record"
          + " from edlink_idem_records x where x.key = k.key order by id) as r"
          + " union all select 2, k.key, 0, null, t.fingerprint, t.window_end_ns, t.pruned_ns"
          + " from unnest(?::text[]) as k(key) cross join lateral (select fingerprint,"
          + " window_end_ns, pruned_ns from edlink_idem_tombstones x where x.key = k.key"
          + " limit 1) as t order by 1, 3";

  private Map<String, Long> upsertLeases(Connection c, List<String> keys, long[] holders)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(TAKE_LEASES)) {
      bindTake(c, ps, keys, holders);
      try (ResultSet r = ps.executeQuery()) {
        return tookOf(r);
      }
    }
  }

  private void bindTake(Connection c, PreparedStatement ps, List<String> keys, long[] holders)
      throws SQLException {
    ps.setDouble(1, lease.toMillis() / 1000.0);
    ps.setArray(2, c.createArrayOf("text", keys.toArray()));
    Long[] boxed = new Long[holders.length];
    for (int i = 0; i < holders.length; i++) {
      boxed[i] = holders[i];
    }
    ps.setArray(3, c.createArrayOf("bigint", boxed));
  }

  private static Map<String, Long> tookOf(ResultSet r) throws SQLException {
    Map<String, Long> took = new HashMap<>();
    while (r.next()) {
      took.put(r.getString(1), r.getLong(2));
    }
    return took;
  }

  /**
   * Takes the leases, then reads what the keys hold: two statements sent together, one round trip,
   * in one transaction. The read is a statement of its own, so it sees what a writer that held a
   * row committed while this one waited for it. Under a lease nobody else writes the key's records
   * or its tombstone, so both are kept.
   */
  private Object[] take(Connection c, List<String> keys, long[] holders)
      throws SQLException, JournalException {
    Set<String> took;
    Map<String, Held> found;
    try (PreparedStatement ps = c.prepareStatement(TAKE_LEASES + "; " + HELD)) {
      bindTake(c, ps, keys, holders);
      Array array = c.createArrayOf("text", keys.toArray());
      ps.setArray(4, array);
      ps.setArray(5, array);
      ps.execute();
      try (ResultSet r = ps.getResultSet()) {
        took = tookOf(r).keySet();
      }
      if (!ps.getMoreResults()) {
        throw new SQLException("the read of the keys' records gave no rows");
      }
      try (ResultSet r = ps.getResultSet()) {
        found = heldOf(r, List.copyOf(took));
      }
    }
    List<String> resent = new ArrayList<>();
    found.forEach(
        (key, h) -> {
          if (h.records.length > 0) {
            resent.add(key);
          }
        });
    if (!resent.isEmpty()) {
      // Their requests may be sent again now with nothing else written first: the leases must
      // outlive a crash of the server, or another process could take a key and send it too.
      // Written again, waiting for the disk this time.
      try (PreparedStatement ps =
          c.prepareStatement(
              "update edlink_idem_leases set expires_at = expires_at"
                  + " where key = any (?) and holder = any (?)")) {
        ps.setArray(1, c.createArrayOf("text", resent.toArray()));
        Long[] boxed = new Long[holders.length];
        for (int i = 0; i < holders.length; i++) {
          boxed[i] = holders[i];
        }
        ps.setArray(2, c.createArrayOf("bigint", boxed));
        if (ps.executeUpdate() != resent.size()) {
          throw leaseLost(resent.get(0));
        }
      }
    }
    Object[] out = new Object[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (took.contains(key)) {
        Held h = found.get(key);
        out[i] = new KeyLease(key, holders[i], h.records, h.tombstone);
      } else {
        out[i] = holdEnds(c, key);
      }
    }
    return out;
  }

  /** Holder numbers drawn and not yet used, a block at a time. Guarded by itself. */
  private final Deque<Long> drawn = new ArrayDeque<>();

  private static final int DRAWN_AT_ONCE = 64;

  /** A new holder number: drawn from the sequence a block at a time, each used once. */
  private long newHolder() throws SQLException, JournalException {
    synchronized (drawn) {
      Long next = drawn.pollFirst();
      if (next != null) {
        return next;
      }
    }
    long[] block = newHolders(DRAWN_AT_ONCE);
    synchronized (drawn) {
      for (int i = 1; i < block.length; i++) {
        drawn.addLast(block[i]);
      }
    }
    return block[0];
  }

  /** New holder numbers, fencing tokens from the journal's sequence. */
  private long[] newHolders(int n) throws SQLException, JournalException {
    return repeatable(
        c -> {
          long[] numbers = new long[n];
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select nextval('edlink_idem_holders') from generate_series(1, ?)")) {
            ps.setInt(1, n);
            try (ResultSet r = ps.executeQuery()) {
              for (int i = 0; i < n && r.next(); i++) {
                numbers[i] = r.getLong(1);
              }
            }
          }
          return numbers;
        });
  }

  private JournalException cannotTake(String key, SQLException e) {
    return new JournalException(
        "cannot take key " + key + " in the journal at " + location + ": " + e.getMessage(), e);
  }

  /** When the lease another process holds on {@code key} runs out unless renewed; null if none. */
  private static Instant holdEnds(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select extract(epoch from expires_at)::numeric * 1000000 from edlink_idem_leases"
                + " where key = ?")) {
      ps.setString(1, key);
      try (ResultSet r = ps.executeQuery()) {
        if (!r.next()) {
          return null;
        }
        long micros = r.getBigDecimal(1).longValue();
        return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
      }
    }
  }

  /** PostgreSQL's SQLSTATE for a lock not had within lock_timeout. */
  private static final String LOCK_NOT_AVAILABLE = "55P03";

  /** PostgreSQL's SQLSTATE for a transaction ended to break a deadlock. */
  private static final String DEADLOCK = "40P01";

  /**
   * Whether taking keys failed on rows another's open transaction holds: the lock not had in time,
   * or a deadlock with another taker of some of the same keys (the server ends one of the two).
   */
  private static boolean lockedElsewhere(SQLException e) {
    return LOCK_NOT_AVAILABLE.equals(e.getSQLState()) || DEADLOCK.equals(e.getSQLState());
  }

  @Override
  public void close() throws JournalException {
    if (closed) {
      return;
    }
    closed = true;
    renewer.interrupt();
    Connection r = renewals;
    if (r != null) {
      try {
        r.abort(Runnable::run); // a renewal waiting on a server that stopped answering ends now
      } catch (SQLException e) {
        // it was closed already
      }
    }
    // Leases still open are given back, not left to run out while others wait: on an idle
    // connection, or a new one, never waiting for a call under way to give one back.
    Long[] holders = held.toArray(Long[]::new);
    held.clear();
    Connection c;
    synchronized (idle) {
      c = idle.pollFirst();
    }
    try {
      if (holders.length > 0) {
        if (c == null) {
          c = connect(jdbcUrl, props, location);
        }
        try (PreparedStatement ps =
            c.prepareStatement("delete from edlink_idem_leases where holder = any (?)")) {
          ps.setArray(1, c.createArrayOf("bigint", holders));
          ps.executeUpdate();
        }
      }
    } catch (SQLException e) {
      // the server is out of reach: they run out
    } finally {
      closeQuietly(c);
      closeIdle();
    }
  }

  /** What a call does with its connection. */
  private interface Work<T> {
    T run(Connection c) throws SQLException, JournalException;
  }

  /**
   * Runs {@code work} on a connection of its own: an idle one, else a new one, waiting for one to
   * come back when {@link #CONNECTIONS} are in use. A transaction {@code work} leaves open, because
   * it threw, is rolled back; a connection that no longer works is closed, never used again, and so
   * are the idle ones, which a server that restarted has cut off too.
   */
  private <T> T using(Work<T> work) throws SQLException, JournalException {
    return using(work, false);
  }

  /**
   * As {@link #using(Work)}, for a {@code work} that may run twice (a read, or taking a lease: done
   * twice, the second finds the key in flight): when the idle connection it was given turns out to
   * have been cut off (the server restarted since), it runs once more on a new one. A write of
   * records is never run twice: its commit may have been done when the answer was lost.
   */
  private <T> T repeatable(Work<T> work) throws SQLException, JournalException {
    return using(work, true);
  }

  private <T> T using(Work<T> work, boolean again) throws SQLException, JournalException {
    if (closed) {
      throw new JournalException("the journal at " + location + " is closed");
    }
    connections.acquireUninterruptibly();
    try {
      while (true) {
        Connection c;
        synchronized (idle) {
          c = idle.pollFirst();
        }
        boolean wasIdle = c != null;
        if (c == null) {
          c = reconnect();
        }
        boolean fine = false;
        try {
          T result = work.run(c);
          // Done: whatever the connection says now, the work is never run again (it may have
          // committed, its answer lost with the connection), and its result stands.
          try {
            fine = c.getAutoCommit(); // a transaction left open would be a mistake of the work's
          } catch (SQLException closedSince) {
            fine = false;
          }
          return result;
        } catch (SQLException e) {
          if (!resetQuietly(c)) {
            closeIdle(); // cut off with it, most likely
            if (again && wasIdle) {
              again = false;
              continue;
            }
          }
          throw e;
        } finally {
          if (!fine) {
            fine = resetQuietly(c);
          }
          if (fine && !closed) {
            synchronized (idle) {
              idle.push(c);
            }
          } else {
            closeQuietly(c);
          }
        }
      }
    } finally {
      connections.release();
    }
  }

  /**
   * How long calls wait, in all, for a server out of reach (restarting, refusing connections, or
   * not answering them) before they fail: a restart costs a batch the calls under way, not every
   * line until the server is back. Counted from the start of the first attempt that failed, for
   * every call together; once it has passed, calls fail at once, but for one every {@link
   * #PROBE_EVERY} that tries again, so that a server that stays down costs a run this once.
   */
  static final Duration OUTAGE_WAIT = Duration.ofSeconds(15);

  static final Duration PROBE_EVERY = Duration.ofSeconds(5);

  /** How long such a try may take to connect: a server that is back answers at once. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private static final long RECONNECT_EVERY_MILLIS = 250;

  /** When calls stop waiting for the server: 0 while it answers. Guarded by {@code this}. */
  private long outageEnds;

  /** When a call may next try to connect once the outage wait has passed. Guarded by this. */
  private long nextProbe;

  /** Why the last attempt to connect failed. Guarded by {@code this}. */
  private SQLException lastRefusal;

  /** A new connection, made while the journal is open: see {@link #OUTAGE_WAIT}. */
  private Connection reconnect() throws SQLException {
    while (true) {
      long start = System.nanoTime();
      Properties attempt = props;
      synchronized (this) {
        if (outageEnds != 0) {
          long left = outageEnds - start;
          if (left <= 0) {
            if (start - nextProbe < 0) {
              throw new SQLException(
                  "the server is out of reach: " + lastRefusal.getMessage(),
                  lastRefusal.getSQLState(),
                  lastRefusal);
            }
            nextProbe = start + PROBE_EVERY.toNanos();
            attempt = connectingWithin(PROBE_TIMEOUT.toSeconds());
          } else {
            // An attempt that cannot be answered (a host that drops it) ends with the wait.
            attempt =
                connectingWithin(Math.min(CONNECT_TIMEOUT.toSeconds(), 1 + left / 1_000_000_000L));
          }
        }
      }
      try {
        Connection c = connect(jdbcUrl, attempt, location);
        synchronized (this) {
          outageEnds = 0;
        }
        return c;
      } catch (SQLException e) {
        if (!unavailable(e) || closed) {
          throw e;
        }
        boolean waitMore;
        synchronized (this) {
          lastRefusal = e;
          if (outageEnds == 0) {
            outageEnds = start + OUTAGE_WAIT.toNanos();
            nextProbe = outageEnds + PROBE_EVERY.toNanos();
          }
          waitMore = System.nanoTime() - outageEnds < 0;
        }
        if (!waitMore) {
          throw e;
        }
        try {
          Thread.sleep(RECONNECT_EVERY_MILLIS);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** The journal's connection properties, with connecting allowed {@code seconds}. */
  private Properties connectingWithin(long seconds) {
    Properties p = new Properties();
    p.putAll(props);
    p.setProperty("connectTimeout", Long.toString(seconds));
    return p;
  }

  /**
   * Whether the server refused the connection for now (it is starting or stopping: 57P03), or could
   * not be reached (class 08); a wrong password or a missing database is not waited for.
   */
  private static boolean unavailable(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.equals("57P03") || state.startsWith("08"));
  }

  private void closeIdle() {
    synchronized (idle) {
      idle.forEach(PostgresJournal::closeQuietly);
      idle.clear();
    }
  }

  /** Rolls back what is open on {@code c}; whether it can still be used. */
  private static boolean resetQuietly(Connection c) {
    try {
      if (c.isClosed()) {
        return false;
      }
      if (!c.getAutoCommit()) {
        c.rollback();
        c.setAutoCommit(true);
      }
      return c.isValid(2);
    } catch (SQLException | RuntimeException e) {
      return false; // a driver that throws something else here has lost track of the connection
    }
  }

  /**
   * Appends records under leases, each key's checked to still name its holder, and brings their
   * summaries up to date, in one statement for a group of keys (see {@link #appendGroup}): each
   * lease row is locked to the commit, so a process that takes a key over once its lease ran out
   * waits for it, and then sees it. A key whose row names another holder ({@code mine}) gets
   * nothing written. A begin ({@code appending} false) is written only where the key has no record
   * at all; a final write ({@code release}) gives the lease back in the same statement. The first
   * parameter says whether the commit waits for the disk ({@code on} or {@code off}, for this
   * transaction). One row for each key, in the order given: its number from 1, whether the lease
   * row is still the holder's, and whether the key's records were written.
   *
   * <p>Each lease row is locked by a select of its own, by its key and holder (the re-check of a
   * row another transaction changed meanwhile, under Read Committed, is of that row's own columns),
   * in key order, as every statement that takes leases locks them.
   */
  private static final String APPEND =
      "with waits as (select set_config('synchronous_commit', ?, true)),"
          + " w as (select * from unnest((select ?::text[]), (select ?::bigint[]),"
          + " (select ?::boolean[]), (select ?::boolean[]), (select ?::bigint[]),"
          + " (select ?::text[]), (select ?::integer[]), (select ?::integer[]),"
          + " (select ?::text[]), (select ?::text[]), (select ?::bigint[]), (select ?::text[]))"
          + " with ordinality as w(key, holder, appending, release, created_ns, state, status,"
          + " attempts, method, url, finished_ns, via, n)),"
          + " mine as (select l.key from (select key, holder from w order by key) as k"
          + " cross join lateral (select key from edlink_idem_leases"
          + " where key = k.key and holder = k.holder for update) as l),"
          + " go as (select w.* from w join mine on mine.key = w.key where w.appending"
          + " or (select min(id) from edlink_idem_records r where r.key = w.key) is null),"
          + " added as (insert into edlink_idem_records (key, record)"
          + " select u.key, u.record from unnest((select ?::text[]), (select ?::bytea[]))"
          + " with ordinality as u(key, record, n) where u.key in (select key from go)"
          + " order by u.n returning id, key),"
          + " summary as (insert into edlink_idem_entries (key, first_record, created_ns, state,"
          + " status, attempts, method, url, finished_ns, via)"
          + " select go.key, coalesce((select min(id) from edlink_idem_records r"
          + " where r.key = go.key), (select min(a.id) from added a where a.key = go.key)),"
          + " go.created_ns, go.state, go.status, go.attempts, go.method, go.url,"
          + " go.finished_ns, go.via from go order by go.key"
          + " on conflict (key) do update set created_ns = excluded.created_ns,"
          + " state = excluded.state, status = excluded.status, attempts = excluded.attempts,"
          + " method = excluded.method, url = excluded.url, finished_ns = excluded.finished_ns,"
          + " via = excluded.via returning key),"
          + " released as (delete from edlink_idem_leases l using go"
          + " where go.release and l.key = go.key and l.holder = go.holder returning 1)"
          + " select w.n, exists (select 1 from mine where mine.key = w.key),"
          + " exists (select 1 from summary where summary.key = w.key),"
          + " (select count(*) from waits), (select count(*) from released)"
          + " from w order by w.n";

  /**
   * One lease's write: its records, the summary they make, and how it is written ({@code forced}:
   * its commit must wait for the server's disk).
   */
  private record Append(
      KeyLease lease,
      List<byte[]> records,
      EntrySummary summary,
      boolean begin,
      boolean release,
      boolean forced) {}

  /**
   * Writes of records, one group at a time. A group's commit waits for the disk when any of its
   * writes must (a begin): a write that need not is only made durable sooner, and one statement and
   * one commit for both kinds cost the server less than one each (docs/benchmarks.md).
   */
  private final GroupedCalls<Append, boolean[]> appends =
      new GroupedCalls<>(this::appendGroup, a -> List.of(a.lease.key), GROUP_MOST);

  private List<GroupedCalls.Result<boolean[]>> appendGroup(List<Append> group) {
    return appendGroup(group, group.stream().anyMatch(Append::forced));
  }

  /**
   * Writes a group of leases' records in one transaction ({@link #APPEND}): for each, whether its
   * lease row was still its own, and whether its records were written. A statement that fails
   * leaves nothing committed, so a group's is then written again call by call, each hearing its own
   * failure; run again on a new connection when the idle one it was given had been cut off (a
   * restart). A commit that fails is never run again: it may have been done when the answer was
   * lost.
   */
  private List<GroupedCalls.Result<boolean[]>> appendGroup(List<Append> group, boolean forced) {
    try {
      return repeatable(c -> appendNow(c, group, forced));
    } catch (SQLException | JournalException e) {
      List<GroupedCalls.Result<boolean[]>> results = new ArrayList<>();
      for (Append a : group) {
        if (group.size() > 1 && e instanceof SQLException) {
          results.addAll(appendGroup(List.of(a)));
        } else {
          results.add(
              GroupedCalls.Result.failed(
                  e instanceof JournalException je
                      ? je
                      : new JournalException(
                          "cannot write key "
                              + a.lease.key
                              + " to the journal at "
                              + location
                              + ": "
                              + e.getMessage(),
                          e)));
        }
      }
      return results;
    }
  }

  private List<GroupedCalls.Result<boolean[]>> appendNow(
      Connection c, List<Append> group, boolean forced) throws SQLException {
    int n = group.size();
    String[] keys = new String[n];
    Long[] holders = new Long[n];
    Boolean[] appending = new Boolean[n];
    Boolean[] release = new Boolean[n];
    Long[] created = new Long[n];
    String[] state = new String[n];
    Integer[] status = new Integer[n];
    Integer[] attempts = new Integer[n];
    String[] method = new String[n];
    String[] url = new String[n];
    Long[] finished = new Long[n];
    String[] via = new String[n];
    List<String> recordKeys = new ArrayList<>();
    List<byte[]> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Append a = group.get(i);
      EntrySummary s = a.summary;
      keys[i] = a.lease.key;
      holders[i] = a.lease.holder;
      appending[i] = !a.begin;
      release[i] = a.release;
      created[i] = nanos(s.created());
      state[i] = s.state().label();
      status[i] = s.status();
      attempts[i] = s.attempts();
      method[i] = s.method();
      url[i] = s.url();
      finished[i] = s.finishedAt() == null ? null : nanos(s.finishedAt());
      via[i] = s.via();
      for (byte[] record : a.records) {
        recordKeys.add(a.lease.key);
        records.add(record);
      }
    }
    c.setAutoCommit(false);
    boolean[][] found = new boolean[n][2];
    boolean written = false;
    try (PreparedStatement ps = c.prepareStatement(APPEND)) {
      ps.setString(1, forced ? "on" : "off");
      ps.setArray(2, c.createArrayOf("text", keys));
      ps.setArray(3, c.createArrayOf("bigint", holders));
      ps.setArray(4, c.createArrayOf("boolean", appending));
      ps.setArray(5, c.createArrayOf("boolean", release));
      ps.setArray(6, c.createArrayOf("bigint", created));
      ps.setArray(7, c.createArrayOf("text", state));
      ps.setArray(8, c.createArrayOf("integer", status));
      ps.setArray(9, c.createArrayOf("integer", attempts));
      ps.setArray(10, c.createArrayOf("text", method));
      ps.setArray(11, c.createArrayOf("text", url));
      ps.setArray(12, c.createArrayOf("bigint", finished));
      ps.setArray(13, c.createArrayOf("text", via));
      ps.setArray(14, c.createArrayOf("text", recordKeys.toArray()));
      ps.setArray(15, c.createArrayOf("bytea", records.toArray(byte[][]::new)));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          boolean[] f = found[r.getInt(1) - 1];
          f[0] = r.getBoolean(2);
          f[1] = r.getBoolean(3);
          written |= f[1];
        }
      }
    }
    if (!written) {
      c.rollback();
      c.setAutoCommit(true);
      return results(found);
    }
    try {
      c.commit();
    } catch (SQLException e) {
      // Those with nothing to write wrote nothing, whatever became of the commit.
      List<GroupedCalls.Result<boolean[]>> unknown = results(found);
      for (int i = 0; i < n; i++) {
        Append a = group.get(i);
        if (!found[i][1]) {
          continue;
        }
        unknown.set(
            i,
            GroupedCalls.Result.failed(
                new JournalException(
                    "cannot tell whether key "
                        + a.lease.key
                        + " was written to the journal at "
                        + location
                        + ": "
                        + e.getMessage(),
                    e)));
      }
      return unknown;
    }
    try {
      c.setAutoCommit(true);
    } catch (SQLException e) {
      // Committed: not to be run again. The pool finds the connection broken and drops it.
    }
    if (forced) {
      synchronized (this.forced) {
        this.forced[0]++;
        for (boolean[] f : found) {
          this.forced[1] += f[1] ? 1 : 0;
        }
      }
    }
    return results(found);
  }

  private static List<GroupedCalls.Result<boolean[]>> results(boolean[][] found) {
    List<GroupedCalls.Result<boolean[]>> results = new ArrayList<>();
    for (boolean[] f : found) {
      results.add(GroupedCalls.Result.of(f));
    }
    return results;
  }

  /**
   * A key's lease. Under it no other process writes the key, so its entry, read when the lease was
   * taken, is kept here and brought up to date by each write; every write checks, in its
   * transaction, that the lease is still this one.
   */
  private final class KeyLease implements Lease {
    private final String key;
    private final long holder;
    private final boolean blank;
    private final Tombstone tombstone;
    private Entry entry;

    /** Whether the final write gave the lease back already. */
    private boolean givenBack;

    private boolean open = true;

    KeyLease(String key, long holder, byte[] records, Tombstone tombstone) {
      this.key = key;
      this.holder = holder;
      this.blank = records.length == 0;
      this.entry = blank ? null : read(records, false).entries().get(key);
      this.tombstone = tombstone;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public synchronized Optional<Entry> entry() {
      return Optional.ofNullable(entry);
    }

    /** Whether the key had no record at all, readable or not, when the lease was taken. */
    @Override
    public synchronized boolean blank() {
      return blank && entry == null;
    }

    @Override
    public synchronized Entry begin(JournaledRequest request, Instant at, Runnable writing)
        throws JournalException {
      if (!blank || entry != null) {
        throw notBlank();
      }
      Entry begun = new Entry(key, at, request, request.fingerprint(), List.of(), null);
      writing.run();
      append(List.of(JournalRecords.begin(key, at, request)), begun, true, true);
      return begun;
    }

    private JournalException notBlank() {
      // An entry, or a record that cannot be read: it may be this key's earlier request.
      return new KeyHasRecordsException(
          "cannot journal "
              + key
              + ": it already has records in the journal at "
              + location
              + ", some perhaps unreadable, which may be this key's earlier request; post with a"
              + " new key only if you know that request never reached Edlink");
    }

    /** An attempt waits for the disk with the outcome's commit, as in the file journal. */
    @Override
    public synchronized void recordAttempt(Attempt attempt) throws JournalException {
      append(
          List.of(JournalRecords.attempt(key, attempt)),
          readable().withAttempt(attempt),
          false,
          false);
    }

    @Override
    public synchronized void recordOutcome(Outcome outcome) throws JournalException {
      append(
          List.of(JournalRecords.outcome(key, outcome)),
          readable().withOutcome(outcome),
          false,
          !outcomesUnforced);
    }

    /**
     * The last write under the lease: it gives the lease back in the same statement, which saves
     * closing it in one of its own (a batch closes one a line), and lets the next process have the
     * finished key as soon as its outcome is committed.
     */
    @Override
    public synchronized void recordFinal(Attempt attempt, Outcome outcome) throws JournalException {
      append(
          List.of(JournalRecords.attempt(key, attempt), JournalRecords.outcome(key, outcome)),
          readable().withAttempt(attempt).withOutcome(outcome),
          false,
          !outcomesUnforced,
          true);
      givenBack = true;
      held.remove(holder);
      leased.remove(key, this);
    }

    private Entry readable() throws JournalException {
      if (entry == null) {
        throw new JournalException(
            "the records of key " + key + " in the journal at " + location + " cannot be read");
      }
      return entry;
    }

    /**
     * Appends {@code records}, which make the entry {@code after}, in one transaction (see {@link
     * #APPEND}); its commit waits for the server's disk when {@code forced}.
     */
    private void append(List<byte[]> records, Entry after, boolean begin, boolean forced)
        throws JournalException {
      append(records, after, begin, forced, false);
    }

    /** As above; with {@code release}, the lease is given back in the same statement. */
    private void append(
        List<byte[]> records, Entry after, boolean begin, boolean forced, boolean release)
        throws JournalException {
      Append asked = new Append(this, records, EntrySummary.of(after), begin, release, forced);
      boolean[] found = appends.call(asked);
      if (!found[0]) {
        throw leaseLost(key);
      }
      if (!found[1]) {
        throw notBlank();
      }
      entry = after;
    }

    @Override
    public void close() throws JournalException {
      synchronized (this) {
        if (!open) {
          return;
        }
        open = false;
        if (givenBack) {
          return;
        }
      }
      leased.remove(key, this);
      giveBackAll(List.of(holder));
    }
  }

  /** Guards {@link #renewals}' making, and {@link #renewerConnected}. */
  private final Object renewing = new Object();

  /** Whether the renewer's connection was made once. Guarded by {@link #renewing}. */
  private boolean renewerConnected;

  /**
   * Makes the renewer's connection before this process's first lease: a server with no connection
   * to spare then refuses the lease, before anything is sent, rather than let it run out while its
   * holder works. Commands that take no lease (list, show) never make it. Waits for a server out of
   * reach as every call does ({@link #OUTAGE_WAIT}); after the first, the renewer makes it again
   * itself when it fails.
   */
  private void renewable() throws JournalException {
    synchronized (renewing) {
      if (renewerConnected || closed) {
        return;
      }
      try {
        renewals = reconnect();
        renewerConnected = true;
        if (closed) {
          closeQuietly(renewals); // close() has been and gone
          throw new JournalException("the journal at " + location + " is closed");
        }
      } catch (SQLException e) {
        throw new JournalException(
            "cannot take a lease in the journal at "
                + location
                + ": no connection to keep it with: "
                + e.getMessage(),
            e);
      }
    }
  }

  /** Pushes back the expiry of this process's leases, every third of a lease, until closed. */
  private void renew() {
    long every = Math.max(1, lease.toMillis() / 3);
    while (!closed) {
      try {
        Thread.sleep(every);
      } catch (InterruptedException e) {
        return;
      }
      Long[] holders = held.toArray(Long[]::new);
      if (holders.length == 0) {
        continue;
      }
      try {
        synchronized (renewing) {
          if (renewals == null) {
            renewals = connect(jdbcUrl, props, location);
          }
        }
        if (closed) {
          closeQuietly(renewals); // close() has been and gone
          return;
        }
        // A row another session has locked (a process asking for the key, stopped inside its
        // transaction) is left for the next round: waiting for it would cost every other lease.
        try (PreparedStatement ps =
            renewals.prepareStatement(
                "update edlink_idem_leases set expires_at = now() + make_interval(secs => ?)"
                    + " where key in (select key from edlink_idem_leases where holder = any (?)"
                    + " for update skip locked)")) {
          ps.setDouble(1, lease.toMillis() / 1000.0);
          Array array = renewals.createArrayOf("bigint", holders);
          ps.setArray(2, array);
          ps.executeUpdate();
        }
      } catch (SQLException e) {
        // Connected again next round, a third of a lease later: a lease is lost only when
        // renewing fails for all of it, and then its writes say so.
        synchronized (renewing) {
          closeQuietly(renewals);
          renewals = null;
        }
      }
    }
  }

  /** A key's records, one line each in order, and its tombstone or null, as a lease found them. */
  private record Held(byte[] records, Tombstone tombstone) {}

  /** The records and the tombstone of each of {@code keys}, from the rows of {@link #HELD}. */
  private static Map<String, Held> heldOf(ResultSet r, List<String> keys) throws SQLException {
    Map<String, ByteArrayOutputStream> lines = new HashMap<>();
    Map<String, Tombstone> tombstones = new HashMap<>();
    while (r.next()) {
      String key = r.getString(2);
      if (r.getInt(1) == 1) {
        lines.computeIfAbsent(key, k -> new ByteArrayOutputStream()).writeBytes(r.getBytes(4));
      } else {
        tombstones.put(
            key, new Tombstone(key, r.getString(5), instant(r.getLong(6)), instant(r.getLong(7))));
      }
    }
    Map<String, Held> held = new HashMap<>();
    for (String key : keys) {
      ByteArrayOutputStream l = lines.get(key);
      held.put(key, new Held(l == null ? new byte[0] : l.toByteArray(), tombstones.get(key)));
    }
    return held;
  }

  /** Every record of the key, in order, one line each. */
  private static byte[] recordsOf(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select record from edlink_idem_records where key = ? order by id")) {
      ps.setString(1, key);
      try (ResultSet r = ps.executeQuery()) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        while (r.next()) {
          lines.writeBytes(r.getBytes(1));
        }
        return lines.toByteArray();
      }
    }
  }

  private Entry entryOf(Connection c, String key) throws SQLException {
    return read(recordsOf(c, key), false).entries().get(key);
  }

  /** The problems are this key's alone: {@link #problems} gathers every single key's read. */
  @Override
  public KeyRead read(String key) throws JournalException {
    try {
      JournalRecords.Read read = repeatable(c -> read(recordsOf(c, key), false));
      return new KeyRead(Optional.ofNullable(read.entries().get(key)), read.problems());
    } catch (SQLException e) {
      throw cannotRead(e);
    }
  }

  /**
   * Folds the rows of {@code r} (one record each). Its problems are {@link #problems}, as when
   * {@code whole} (every record was read).
   */
  private JournalRecords.Read fold(ResultSet r, boolean whole) throws SQLException {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    while (r.next()) {
      lines.writeBytes(r.getBytes(1));
    }
    return read(lines.toByteArray(), whole);
  }

  /**
   * Folds records, one line each. Their problems are {@link #problems} when {@code whole} (every
   * record was read); a read of one key adds its own to those already known.
   */
  private JournalRecords.Read read(byte[] lines, boolean whole) {
    JournalRecords.Read read = JournalRecords.fold(lines, "edlink_idem_records");
    if (whole) {
      problems = read.problems();
    } else if (!read.problems().isEmpty()) {
      synchronized (this) {
        Set<Problem> known = new LinkedHashSet<>(problems);
        known.addAll(read.problems());
        problems = List.copyOf(known);
      }
    }
    return read;
  }

  private static Long windowEndOf(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select created_ns from edlink_idem_entries where key = ?")) {
      ps.setString(1, key);
      try (ResultSet r = ps.executeQuery()) {
        return r.next() ? nanos(new Window(instant(r.getLong(1))).end()) : null;
      }
    }
  }

  private static Tombstone tombstoneOf(Connection c, String key) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select key, fingerprint, window_end_ns, pruned_ns from edlink_idem_tombstones"
                + " where key = ?")) {
      ps.setString(1, key);
      try (ResultSet r = ps.executeQuery()) {
        return r.next() ? tombstone(r) : null;
      }
    }
  }

  private static Tombstone tombstone(ResultSet r) throws SQLException {
    return new Tombstone(
        r.getString(1), r.getString(2), instant(r.getLong(3)), instant(r.getLong(4)));
  }

  /** Writes every record of an entry and its summary, in the transaction under way on {@code c}. */
  private void write(Connection c, Entry entry) throws SQLException {
    byte[] lines = JournalRecords.entry(entry);
    int start = 0;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i] == '\n') {
        byte[] line = new byte[i + 1 - start];
        System.arraycopy(lines, start, line, 0, line.length);
        try (PreparedStatement ps =
            c.prepareStatement("insert into edlink_idem_records (key, record) values (?, ?)")) {
          ps.setString(1, entry.key());
          ps.setBytes(2, line);
          ps.executeUpdate();
        }
        start = i + 1;
      }
    }
    summarize(c, entryOf(c, entry.key()));
  }

  private static void deleteKey(Connection c, String key) throws SQLException {
    for (String table : List.of("edlink_idem_records", "edlink_idem_entries")) {
      try (PreparedStatement ps = c.prepareStatement("delete from " + table + " where key = ?")) {
        ps.setString(1, key);
        ps.executeUpdate();
      }
    }
  }

  /** Brings the key's summary row up to date with {@code entry}. */
  private static void summarize(Connection c, Entry entry) throws SQLException {
    EntrySummary s = EntrySummary.of(entry);
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
                + " attempts, method, url, finished_ns, via)"
                + " values (?, (select min(id) from edlink_idem_records where key = ?),"
                + " ?, ?, ?, ?, ?, ?, ?, ?)"
                + " on conflict (key) do update set created_ns = excluded.created_ns,"
                + " first_record = excluded.first_record,"
                + " state = excluded.state, status = excluded.status,"
                + " attempts = excluded.attempts, method = excluded.method, url = excluded.url,"
                + " finished_ns = excluded.finished_ns, via = excluded.via")) {
      ps.setString(1, s.key());
      ps.setString(2, s.key());
      bindSummary(ps, 3, s);
      ps.executeUpdate();
    }
  }

  /**
   * Sets a summary row's columns, {@code created_ns} to {@code via} in the table's order, from
   * parameter {@code first} on.
   */
  private static void bindSummary(PreparedStatement ps, int first, EntrySummary s)
      throws SQLException {
    ps.setLong(first, nanos(s.created()));
    ps.setString(first + 1, s.state().label());
    ps.setInt(first + 2, s.status());
    ps.setInt(first + 3, s.attempts());
    ps.setString(first + 4, s.method());
    ps.setString(first + 5, s.url());
    if (s.finishedAt() == null) {
      ps.setNull(first + 6, java.sql.Types.BIGINT);
    } else {
      ps.setLong(first + 6, nanos(s.finishedAt()));
    }
    ps.setString(first + 7, s.via());
  }

  private static long bytes(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select coalesce(sum(octet_length(record)), 0) from edlink_idem_records")) {
      r.next();
      return r.getLong(1);
    }
  }

  private static long nanos(Instant at) {
    return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
  }

  /**
   * {@link #nanos}, held to what a bigint can say: an instant past 2262 is later than every row,
   * and one before 1677 earlier.
   */
  private static long heldNanos(Instant at) {
    try {
      return nanos(at);
    } catch (ArithmeticException e) {
      return at.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }

  private JournalException cannotRead(SQLException e) {
    return new JournalException(
        "cannot read the journal at " + location + ": " + e.getMessage(), e);
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing: nothing depends on it
      }
    }
  }
}
