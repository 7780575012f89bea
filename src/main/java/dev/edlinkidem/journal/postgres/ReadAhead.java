package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.journal.JournalException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

/**
 * A reading run on a thread of its own while the caller's thread takes what it has read, a chunk at
 * a time: the server makes the next rows and the driver decodes them while the caller prints or
 * tabulates the ones before. Items reach the caller in the order read, on the caller's thread.
 *
 * <p>A reading that fails has its exception thrown to the caller once the items read before it were
 * taken. A caller that fails, or is interrupted, stops the reading at its next chunk.
 */
final class ReadAhead<T> {
  /** Items handed over at a time. */
  static final int CHUNK = 1024;

  /** Chunks read and not taken yet, at most: the memory the reading may run ahead by. */
  private static final int CHUNKS_AHEAD = 8;

  /** The reading: gives {@code each} every item, on the reading's thread. */
  interface Reading<T> {
    void read(Consumer<T> each) throws JournalException;
  }

  /** What the reading's thread hands over: items, or how the reading ended. */
  private record Chunk<T>(List<T> items, Throwable failure, boolean last) {}

  /** Thrown inside the reading, on its thread, when the caller has stopped taking. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }

  private final BlockingQueue<Chunk<T>> handed = new ArrayBlockingQueue<>(CHUNKS_AHEAD);
  private volatile boolean stopped;
  private List<T> filling = new ArrayList<>(CHUNK);

  private ReadAhead() {}

  /**
   * Runs {@code reading} on a thread named {@code name} and gives {@code each} its items, on this
   * thread; returns once all are given.
   *
   * @throws JournalException what the reading threw, or when this thread is interrupted
   */
  static <T> void run(String name, Reading<T> reading, Consumer<T> each, String location)
      throws JournalException {
    ReadAhead<T> ahead = new ReadAhead<>();
    Thread reader = new Thread(() -> ahead.read(reading), name);
    reader.setDaemon(true);
    reader.start();
    boolean taken = false;
    try {
      ahead.take(each, location);
      taken = true;
    } finally {
      if (!taken) {
        ahead.stop(reader);
      }
    }
  }

  private void read(Reading<T> reading) {
    Chunk<T> end;
    try {
      reading.read(this::add);
      end = new Chunk<>(filling, null, true);
    } catch (Stopped e) {
      return; // nobody takes any more
    } catch (Throwable e) {
      end = new Chunk<>(filling, e, true);
    }
    hand(end);
  }

  private void add(T item) {
    filling.add(item);
    if (filling.size() == CHUNK) {
      if (!hand(new Chunk<>(filling, null, false))) {
        throw new Stopped();
      }
      filling = new ArrayList<>(CHUNK);
    }
  }

  /** Puts {@code chunk} in the queue; false when the caller has stopped taking. */
  private boolean hand(Chunk<T> chunk) {
    // A stopped caller empties the queue once, after which this put cannot wait: at most one chunk
    // goes in before the next call sees stopped.
    if (stopped) {
      return false;
    }
    try {
      handed.put(chunk);
      return true;
    } catch (InterruptedException e) {
      return false; // a daemon thread nobody interrupts; ends the reading all the same
    }
  }

  private void take(Consumer<T> each, String location) throws JournalException {
    while (true) {
      Chunk<T> chunk;
      try {
        chunk = handed.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new JournalException("interrupted while reading the journal at " + location, e);
      }
      chunk.items().forEach(each);
      if (chunk.last()) {
        if (chunk.failure() != null) {
          rethrow(chunk.failure(), location);
        }
        return;
      }
    }
  }

  /**
   * Stops the reading after the caller failed: it ends at its next chunk, and its connection goes
   * back as after any failed read. Waited for, unless this thread was interrupted, so that the
   * journal is not closed under it.
   */
  private void stop(Thread reader) {
    stopped = true;
    handed.clear();
    if (Thread.currentThread().isInterrupted()) {
      return;
    }
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void rethrow(Throwable failure, String location) throws JournalException {
    if (failure instanceof JournalException e) {
      throw e;
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    throw new JournalException(
        "cannot read the journal at " + location + ": " + failure.getMessage(), failure);
  }
}
