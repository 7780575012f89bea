package dev.edlinkidem.journal.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The PostgreSQL journal's tables, by version, and the migrations between versions: each version's
 * statements run once, in one transaction, under a lock that two processes migrating at once take
 * in turn. A database newer than this tool knows is refused, never changed.
 *
 * <ul>
 *   <li>{@code edlink_idem_records}: every record, one line of JSON with its checksum as the file
 *       journal writes it, in the order written.
 *   <li>{@code edlink_idem_entries}: one row per key, the summary {@code list} and {@code expiring}
 *       read, kept in step with the records in the same transactions. Instants are nanoseconds
 *       since the epoch, as exact as the journal's own. Since version 2 its keys sort by code point
 *       (collation C), as the tool sorts them, and an index gives them newest first.
 *   <li>{@code edlink_idem_tombstones}: what a prune kept of a removed key.
 *   <li>{@code edlink_idem_leases}: who sends a key now, with a fencing number and an expiry.
 * </ul>
 */
final class Schema {
  /** The version this tool writes. */
  static final int VERSION = 2;

  /** Any number, the same for every process: the advisory lock migrations take. */
  private static final long MIGRATION_LOCK = 0x6564_6C69_6E6BL; // "edlink"

  /** The statements that bring version {@code i} to {@code i + 1}. */
  private static final List<List<String>> STEPS =
      List.of(
          List.of(
              "create table edlink_idem_schema (version integer not null)",
              "insert into edlink_idem_schema values (0)",
              "create table edlink_idem_records ("
                  + " id bigserial primary key,"
                  + " key text not null,"
                  + " record bytea not null)",
              "create index edlink_idem_records_by_key on edlink_idem_records (key, id)",
              "create table edlink_idem_entries ("
                  + " key text primary key,"
                  + " first_record bigint not null,"
                  + " created_ns bigint not null,"
                  + " state text not null,"
                  + " status integer not null,"
                  + " attempts integer not null,"
                  + " method text not null,"
                  + " url text not null,"
                  + " finished_ns bigint,"
                  + " via text)",
              "create index edlink_idem_entries_in_order on edlink_idem_entries (first_record)",
              "create index edlink_idem_entries_pending on edlink_idem_entries (created_ns)"
                  + " where state = 'pending'",
              "create index edlink_idem_entries_by_window on edlink_idem_entries (created_ns)",
              "create table edlink_idem_tombstones ("
                  + " key text primary key,"
                  + " fingerprint text not null,"
                  + " window_end_ns bigint not null,"
                  + " pruned_ns bigint not null)",
              "create table edlink_idem_leases ("
                  + " key text primary key,"
                  + " holder bigint not null,"
                  + " expires_at timestamptz not null)",
              "create sequence edlink_idem_holders"),
          List.of(
              // Keys in code point order, as the tool sorts them, whatever the database's default
              // collation: ties in a listing, and a key's neighbours, come from the primary key.
              "alter table edlink_idem_entries alter column key type text collate \"C\"",
              // Newest first, then by key: list reads its keys from this index alone, in order. A
              // span of starts (expiring) is read from edlink_idem_entries_by_window instead: the
              // planner costs a range of a two-column index as if its rows lay scattered.
              "create index edlink_idem_entries_newest_first on edlink_idem_entries"
                  + " (created_ns desc, key)"));

  private Schema() {}

  /** The database's version: 0 when it has none of the journal's tables. */
  static int version(Connection db) throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("select to_regclass('edlink_idem_schema') is not null")) {
      r.next();
      if (!r.getBoolean(1)) {
        return 0;
      }
    }
    try (Statement s = db.createStatement();
        ResultSet r = s.executeQuery("select max(version) from edlink_idem_schema")) {
      r.next();
      return r.getInt(1);
    }
  }

  /**
   * Brings the database to {@link #VERSION}; returns the version it had.
   *
   * @throws SQLException when a step fails (nothing of that step is kept)
   * @throws PostgresSettingException when the database is newer than this tool
   */
  static int migrate(Connection db, String location) throws SQLException {
    boolean autoCommit = db.getAutoCommit();
    db.setAutoCommit(false);
    try {
      try (Statement s = db.createStatement()) {
        s.execute("select pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
      }
      int had = version(db);
      if (had > VERSION) {
        throw new PostgresSettingException(
            "the journal at "
                + location
                + " has schema version "
                + had
                + ", newer than this edlink-idem knows ("
                + VERSION
                + "); use a newer edlink-idem");
      }
      for (int v = had; v < VERSION; v++) {
        try (Statement s = db.createStatement()) {
          for (String sql : STEPS.get(v)) {
            s.execute(sql);
          }
          s.execute("update edlink_idem_schema set version = " + (v + 1));
        }
      }
      db.commit();
      return had;
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(autoCommit);
    }
  }
}
