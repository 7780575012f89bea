package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.verdict.ExitCode;

/** Opens the journal for one command and turns its failures into exit 1 with one line. */
public final class JournalAccess {
  /** Work on an open journal. */
  interface Work<T> {
    T apply(FileJournal journal) throws JournalException;
  }

  private JournalAccess() {}

  static <T> T with(EdlinkIdem root, Work<T> work) {
    try (FileJournal journal = FileJournal.open(root.settings().journalDir())) {
      T result = work.apply(journal);
      KeyRunner.reportProblems(root, journal.problems());
      return result;
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, e.getMessage(), e);
    }
  }
}
