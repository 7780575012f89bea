package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test's way to make the journal's disk fail at one chosen step, as a dying disk (EIO) or a full
 * one (ENOSPC) does: the Nth write or force from now fails, once. Tests count a command's steps
 * with no fault first, then fail each in turn. Nothing in the tool sets it; with no plan the check
 * is one volatile read.
 */
public final class DiskFaults {
  /** What can fail: a write of bytes, or a force (fsync, fdatasync) of a file or a directory. */
  public enum Step {
    WRITE,
    FORCE
  }

  /** A fault planned, and the steps of its kind counted so far. */
  public static final class Plan implements AutoCloseable {
    private final Step step;
    private final int failing;
    private final String reason;
    private final String only; // a file name, or null for every file
    private final AtomicInteger seen = new AtomicInteger();
    private volatile String failedAt;

    private Plan(Step step, int failing, String reason, String only) {
      this.step = step;
      this.failing = failing;
      this.reason = reason;
      this.only = only;
    }

    /** How many steps of its kind were taken while the plan was in force. */
    public int seen() {
      return seen.get();
    }

    /** The file whose step failed, or null when the planned step was never reached. */
    public String failedAt() {
      return failedAt;
    }

    @Override
    public void close() {
      synchronized (DiskFaults.class) {
        if (plan == this) {
          plan = null;
        }
      }
    }
  }

  private static volatile Plan plan;

  private DiskFaults() {}

  /**
   * Fails the {@code nth} step of this kind from now (1 is the next; 0 fails none, to count them)
   * with {@code reason} ("Input/output error", "No space left on device"), until closed.
   */
  public static Plan fail(Step step, int nth, String reason) {
    return plan(new Plan(step, nth, reason, null));
  }

  /** Fails the first step of this kind on a file named {@code fileName}, until closed. */
  public static Plan failOn(Step step, String fileName, String reason) {
    return plan(new Plan(step, 1, reason, fileName));
  }

  private static Plan plan(Plan p) {
    synchronized (DiskFaults.class) {
      if (plan != null) {
        throw new IllegalStateException("a disk fault is already planned");
      }
      plan = p;
      return p;
    }
  }

  /** Called before each write or force of the journal's files. */
  static void before(Step step, Path path) throws IOException {
    Plan p = plan;
    if (p == null
        || p.step != step
        || p.only != null && !p.only.equals(String.valueOf(path.getFileName()))) {
      return;
    }
    if (p.seen.incrementAndGet() == p.failing) {
      p.failedAt = String.valueOf(path);
      throw new FileSystemException(String.valueOf(path), null, p.reason);
    }
  }
}
