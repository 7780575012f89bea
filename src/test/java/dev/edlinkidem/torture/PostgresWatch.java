package dev.edlinkidem.torture;

import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.postgres.PasswordSource;
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.journal.postgres.PostgresTarget;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The crash campaign's own session on a PostgreSQL journal's database, beside the tool's: it opens
 * the journal as the tool does, and reads what the running process is doing when it is killed
 * (whether it holds a lease, whether a transaction of its is open), for the report to show that
 * kills land there.
 *
 * <p>The campaign runs one process of the tool at a time and waits, after each kill, until the
 * killed process's sessions have ended; so the tool's sessions on the database (application name
 * {@value #TOOL}) are the running process's, and the lease holders numbered after its start are its
 * own.
 */
public final class PostgresWatch implements AutoCloseable {
  /** The application name the tool's sessions give the server. */
  static final String TOOL = "edlink-idem";

  /** How long a transaction has been open for {@link Moment#longTransactionOpen}. */
  static final Duration LONG = Duration.ofMillis(10);

  /** How often the waits look again; the aimed kill looks as fast as the server answers. */
  private static final Duration WAKE_EVERY = Duration.ofMillis(5);

  private final PostgresTarget target;
  private final String user;
  private final String password;
  private final Connection db;
  private long lastHolderBefore;

  /** What the database showed of the running process just before a kill. */
  record Moment(
      int leasesHeld,
      int inTransaction,
      int writing,
      int betweenStatements,
      int longTransactions,
      boolean gone) {
    /** A lease row of this process's, still in force. */
    boolean leaseHeld() {
      return leasesHeld > 0;
    }

    /** A session of the process in a transaction: a statement running, or between two. */
    boolean transactionOpen() {
      return inTransaction > 0;
    }

    /**
     * A transaction open for {@link PostgresWatch#LONG} or more: a prune's or a merge's, not one of
     * the single statements of a lease or a write.
     */
    boolean longTransactionOpen() {
      return longTransactions > 0;
    }

    /** A transaction that has written or locked a row (it has a transaction id), or waits. */
    boolean writeOpen() {
      return writing > 0 || betweenStatements > 0;
    }
  }

  private PostgresWatch(PostgresTarget target, String user, String password, Connection db) {
    this.target = target;
    this.user = user;
    this.password = password;
    this.db = db;
  }

  /**
   * Connects to the journal at {@code url} as its role, with {@code password}, or when null the
   * password the tool would find (PGPASSWORD, ~/.pgpass).
   */
  public static PostgresWatch connect(String url, String password) throws SQLException {
    PostgresTarget target = PostgresTarget.parse(url, "the campaign's --journal");
    Map<String, String> env = System.getenv();
    String user = target.user() != null ? target.user() : PasswordSource.defaultUser(env);
    if (password == null) {
      String home = System.getProperty("user.home");
      PasswordSource.Found found =
          PasswordSource.find(target, env, home == null ? null : Path.of(home), null, w -> {});
      password = found == null ? null : found.password();
    }
    Properties props = new Properties();
    props.setProperty("user", user);
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("sslmode", target.sslmode());
    if (target.sslRootCert() != null) {
      props.setProperty("sslrootcert", target.sslRootCert());
    }
    // Not the tool's name: the watch's session is never taken for the killed process's.
    props.setProperty("ApplicationName", "edlink-idem-torture");
    Connection db;
    try {
      db = new org.postgresql.Driver().connect(target.jdbcUrl(), props);
    } catch (SQLException e) {
      throw new SQLException("cannot connect to " + target.shown() + ": " + e.getMessage(), e);
    }
    if (db == null) {
      throw new SQLException("the driver does not take " + target.shown());
    }
    return new PostgresWatch(target, user, password, db);
  }

  /** The role the tool's processes are given (PGUSER), for a URL that names none. */
  String user() {
    return user;
  }

  /** The password the tool's processes are given (PGPASSWORD); null for none. */
  String password() {
    return password;
  }

  /** The journal, opened as the tool opens it. */
  public PostgresJournal openJournal() throws JournalException {
    return PostgresJournal.open(target, user, password);
  }

  /** The campaign's own session, for reading the tables as they are. */
  Connection connection() {
    return db;
  }

  /**
   * Makes the journal's tables as the first command would, and says why the database cannot be the
   * campaign's (null when it can): the campaign prunes every finished entry and forgets every
   * tombstone, so it wants a journal with nothing in it.
   */
  String whyNotEmpty() throws JournalException, SQLException {
    openJournal().close();
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "select (select count(*) from edlink_idem_records),"
                    + " (select count(*) from edlink_idem_tombstones)")) {
      r.next();
      if (r.getLong(1) == 0 && r.getLong(2) == 0) {
        return null;
      }
      return "the journal at "
          + target.shown()
          + " holds "
          + r.getLong(1)
          + " records and "
          + r.getLong(2)
          + " tombstones; the campaign prunes and forgets them, so give it a database of its own";
    }
  }

  /** Notes the last lease holder number given so far: those after it are the next process's. */
  void processStarting() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "select case when is_called then last_value else 0 end from edlink_idem_holders")) {
      r.next();
      lastHolderBefore = r.getLong(1);
    }
  }

  /** What the database shows of the running process now. */
  Moment moment(Process p) throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "select (select count(*) from edlink_idem_leases"
                + "   where holder > ? and expires_at > now()),"
                + " count(*) filter (where xact_start is not null),"
                + " count(*) filter (where backend_xid is not null),"
                + " count(*) filter (where state like 'idle in transaction%'),"
                + " count(*) filter (where clock_timestamp() - xact_start"
                + "   >= make_interval(secs => ?))"
                + " from pg_stat_activity"
                + " where application_name = ? and datname = current_database()")) {
      ps.setLong(1, lastHolderBefore);
      ps.setDouble(2, LONG.toMillis() / 1000.0);
      ps.setString(3, TOOL);
      try (ResultSet r = ps.executeQuery()) {
        r.next();
        return new Moment(
            r.getInt(1), r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5), !p.isAlive());
      }
    }
  }

  /**
   * Looks, as fast as the server answers, until the process is at the moment {@code aim} wants, and
   * returns that moment; or the last one seen when the process ends or {@code atMost} passes first.
   */
  Moment await(Process p, Predicate<Moment> aim, Duration atMost) throws SQLException {
    long deadline = System.nanoTime() + atMost.toNanos();
    Moment m = moment(p);
    while (!aim.test(m) && !m.gone() && System.nanoTime() < deadline) {
      m = moment(p);
    }
    return m;
  }

  /**
   * Waits until no session of the tool is left on the database: a killed process's server processes
   * end once they find its socket closed, or their statement done. False after {@code atMost}.
   */
  boolean awaitNoSessions(Duration atMost) throws SQLException {
    return awaitZero(
        "select count(*) from pg_stat_activity where application_name = '"
            + TOOL
            + "' and datname = current_database()",
        atMost);
  }

  /** How many entries the journal has (summary rows). */
  long entries() throws SQLException {
    return count("select count(*) from edlink_idem_entries");
  }

  /** How many lease rows are in force now (their expiry not reached). */
  long leasesInForce() throws SQLException {
    return count("select count(*) from edlink_idem_leases where expires_at > now()");
  }

  /** Waits until no lease row is in force. False after {@code atMost}. */
  boolean awaitNoLeaseInForce(Duration atMost) throws SQLException {
    return awaitZero("select count(*) from edlink_idem_leases where expires_at > now()", atMost);
  }

  private boolean awaitZero(String countQuery, Duration atMost) throws SQLException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (count(countQuery) > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      LockSupport.parkNanos(WAKE_EVERY.toNanos());
    }
    return true;
  }

  private long count(String query) throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery(query)) {
      r.next();
      return r.getLong(1);
    }
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
