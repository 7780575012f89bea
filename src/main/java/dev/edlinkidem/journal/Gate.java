package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Byte 0 of the lock file: held shared to read records and to append to the summary cache,
 * exclusive to write a record and to change the layout (remove, merge, migration, cache compaction,
 * recovery). Exclusive holds around a record are a few microseconds; the forcing to disk happens
 * after, so writers of different keys do not wait for each other's fsync.
 *
 * <p>Inside one process a read-write lock stands in front of the file lock, because the JVM refuses
 * two overlapping {@link FileLock}s on one file even when both are shared.
 *
 * <p>The file lock is never waited for in the kernel: a blocking {@link FileChannel#lock} on an
 * interrupted thread closes the channel, and with it every lock the process holds on the file, its
 * keys' leases too (Ctrl-C in the shell, a stopping batch). {@link FileChannel#tryLock} is not
 * interruptible; between tries the gate sleeps, and an interrupt then ends only the wait.
 */
final class Gate {
  /** A hold on the gate; closing it twice is harmless. */
  interface Hold extends AutoCloseable {
    @Override
    void close();
  }

  private static final long REGION = 0;
  private static final Hold NOTHING = () -> {};

  private final ReentrantReadWriteLock local = new ReentrantReadWriteLock();
  private int readers;
  private FileLock sharedLock;

  /**
   * Holds the gate shared. {@code channel} is the lock file, or null when there is none yet
   * (nothing has ever been written, so no one can be writing).
   */
  Hold shared(FileChannel channel) throws IOException {
    if (local.isWriteLockedByCurrentThread()) {
      return NOTHING; // an exclusive hold covers reading
    }
    local.readLock().lock();
    try {
      synchronized (this) {
        if (sharedLock == null && channel != null) {
          sharedLock = take(channel, true);
        }
        readers++;
      }
    } catch (IOException | RuntimeException e) {
      local.readLock().unlock();
      throw e;
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        synchronized (this) {
          if (--readers == 0 && sharedLock != null) {
            release(sharedLock);
            sharedLock = null;
          }
        }
        local.readLock().unlock();
      }
    };
  }

  /** Holds the gate exclusively; a thread that already holds it shared must let go first. */
  Hold exclusive(FileChannel channel) throws IOException {
    if (local.isWriteLockedByCurrentThread()) {
      return NOTHING;
    }
    if (local.getReadHoldCount() > 0) {
      throw new IllegalStateException("a shared hold cannot become exclusive: release it first");
    }
    local.writeLock().lock();
    FileLock lock;
    try {
      lock = take(channel, false);
    } catch (IOException | RuntimeException e) {
      local.writeLock().unlock();
      throw e;
    }
    AtomicBoolean open = new AtomicBoolean(true);
    return () -> {
      if (open.getAndSet(false)) {
        release(lock);
        local.writeLock().unlock();
      }
    };
  }

  /** The first wait between tries of a lock another process holds, in nanoseconds. */
  private static final long FIRST_WAIT = 20_000;

  /** The longest wait between tries: how late a waiter may be to a lock let go. */
  private static final long LONGEST_WAIT = 2_000_000;

  /**
   * Takes byte 0 of the lock file, trying again while another process holds it.
   *
   * @throws FileLockInterruptionException when interrupted while it waits; the channel stays open
   *     and the thread's interrupt status set
   */
  private static FileLock take(FileChannel channel, boolean shared) throws IOException {
    long wait = FIRST_WAIT;
    while (true) {
      FileLock lock = channel.tryLock(REGION, 1, shared);
      if (lock != null) {
        return lock;
      }
      LockSupport.parkNanos(wait);
      if (Thread.currentThread().isInterrupted()) {
        throw new FileLockInterruptionException();
      }
      wait = Math.min(LONGEST_WAIT, 2 * wait);
    }
  }

  static void release(FileLock lock) {
    if (lock != null) {
      try {
        lock.release();
      } catch (IOException ignored) {
        // The lock goes with the descriptor or the process anyway.
      }
    }
  }
}
