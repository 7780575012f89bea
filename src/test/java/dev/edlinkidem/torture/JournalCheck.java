package dev.edlinkidem.torture;

import java.util.List;

/**
 * The crash campaign's check after each kill, of a directory journal ({@link FileJournalCheck}) or
 * a PostgreSQL one ({@link PostgresJournalCheck}): the journal opens cleanly, and no record that an
 * earlier check saw is lost or changed.
 */
public interface JournalCheck {
  /** Checks the journal against the previous check; returns what broke (empty when nothing). */
  List<String> check() throws Exception;

  /** How many checks ran. */
  int checked();

  /** How many records of earlier checks were compared. */
  long recordsChecked();
}
