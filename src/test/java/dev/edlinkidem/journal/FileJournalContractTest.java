package dev.edlinkidem.journal;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal contract on {@link FileJournal}: a directory of the test's own.
 *
 * <p>Another handle is a second FileJournal on that directory in this JVM, not another process. Its
 * leases still exclude this one's, through the JVM's table of file locks rather than the kernel's
 * record locks; between processes, JarIT's race of two posts on one key checks them. Closing a
 * handle closes its descriptor of the lock file, which drops this process's kernel locks on it, the
 * other handle's leases too: invisible inside the JVM, and why a command opens one FileJournal at a
 * time. Nor may two handles be used from two threads at once: each one's gate orders only its own
 * threads, and the JVM refuses the second's overlapping lock on byte 0 (an {@link
 * java.nio.channels.OverlappingFileLockException} out of the read or write). The contract's tests
 * use one handle at a time.
 */
class FileJournalContractTest extends JournalContractTest {
  @TempDir Path tmp;

  private Path dir() {
    return tmp.resolve("journal");
  }

  @Override
  protected Journal open() throws JournalException {
    return FileJournal.open(dir());
  }

  @Override
  protected Journal openAgain() throws JournalException {
    return FileJournal.open(dir());
  }

  /** Stopped after the change is committed and half of it is in place: its files half moved. */
  @Override
  protected Journal openStoppingPartWay() throws JournalException {
    return FileJournal.open(dir(), CrashTest.crashAt("half-applied"));
  }
}
