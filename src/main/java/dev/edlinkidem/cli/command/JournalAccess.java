package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.postgres.PasswordSource;
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.journal.postgres.PostgresTarget;
import dev.edlinkidem.time.DurationSyntax;
import dev.edlinkidem.verdict.ExitCode;
import java.time.Duration;
import java.util.Map;

/** Opens the journal for one command and turns its failures into exit 1 with one line. */
public final class JournalAccess {
  /** Work on an open journal. */
  interface Work<T> {
    T apply(Journal journal) throws JournalException;
  }

  private JournalAccess() {}

  /**
   * The journal the settings name: the one place a command opens it. A {@code postgres://} URL
   * names a PostgreSQL journal, whose password comes from PGPASSWORD, the profile's
   * journal-password-file, or a .pgpass file; anything else a directory.
   */
  static Journal open(Settings settings, Map<String, String> env) throws JournalException {
    Settings.Setting where = settings.journalSetting();
    if (!PostgresTarget.isOne(where.value())) {
      return FileJournal.open(settings.journalDir());
    }
    return openPostgres(PostgresTarget.parse(where.value(), where.source()), settings, env, true);
  }

  /**
   * The PostgreSQL journal at {@code target}, its password found as for the journal in use; with
   * {@code makeTables} false, one that must exist already (a merge's source).
   */
  static PostgresJournal openPostgres(
      PostgresTarget target, Settings settings, Map<String, String> env, boolean makeTables)
      throws JournalException {
    PasswordSource.Found password =
        PasswordSource.find(
            target, env, settings.homeDir(), settings.journalPasswordFile(), settings::warn);
    return PostgresJournal.open(
        target,
        target.user() != null ? target.user() : PasswordSource.defaultUser(env),
        password == null ? null : password.password(),
        makeTables,
        lease(env));
  }

  /**
   * How long a PostgreSQL journal's lease lasts unless renewed: {@code EDLINK_IDEM_LEASE} (a
   * duration, at least 1s; for tests of a holder paused past its lease), else a minute.
   */
  private static Duration lease(Map<String, String> env) {
    String given = env.get("EDLINK_IDEM_LEASE");
    if (given == null || given.isEmpty()) {
      return PostgresJournal.LEASE;
    }
    Duration lease;
    try {
      lease = DurationSyntax.parse(given);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("EDLINK_IDEM_LEASE=" + given + ": " + e.getMessage());
    }
    if (lease.compareTo(Duration.ofSeconds(1)) < 0) {
      throw CliException.usage("EDLINK_IDEM_LEASE must be at least 1s, not " + given);
    }
    return lease;
  }

  static <T> T with(EdlinkIdem root, Work<T> work) {
    try (Journal journal = open(root.settings(), root.invocation().environment())) {
      try {
        return work.apply(journal);
      } finally {
        // Also when the work failed: its message may point at them ("see above").
        KeyRunner.reportProblems(root, journal.problems());
      }
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, e.getMessage(), e);
    }
  }
}
