package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Byte 0 of the lock file: held shared to read records and to append to the summary cache,
 * exclusive to write a record and to change the layout (remove, merge, migration, cache compaction,
 * recovery). Exclusive holds around a record are a few microseconds; the forcing to disk happens
 * after, so writers of different keys do not wait for each other's fsync.
 *
 * <p>Inside one process a read-write lock stands in front of the file lock, because the JVM refuses
 * two overlapping {@link FileLock}s on one file even when both are shared.
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
          sharedLock = channel.lock(REGION, 1, true);
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
      lock = channel.lock(REGION, 1, false);
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
