package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.verdict.ExitCode;

/** Opens the journal for one command and turns its failures into exit 1 with one line. */
public final class JournalAccess {
  /** Work on an open journal. */
  interface Work<T> {
    T apply(Journal journal) throws JournalException;
  }

  private JournalAccess() {}

  /** The journal the settings name: the one place a command opens it. */
  static Journal open(Settings settings) throws JournalException {
    return FileJournal.open(settings.journalDir());
  }

  static <T> T with(EdlinkIdem root, Work<T> work) {
    try (Journal journal = open(root.settings())) {
      T result = work.apply(journal);
      KeyRunner.reportProblems(root, journal.problems());
      return result;
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, e.getMessage(), e);
    }
  }
}
