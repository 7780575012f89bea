package dev.edlinkidem.journal;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Finishes leases in the background for a journal whose writers should not wait for their
 * outcomes to reach the disk (a batch: the next line can start while the last one's outcome is
 * forced). Two threads, so that the file system can commit two forcings at once; the journal's
 * close waits for all of them and reports the first that failed.
 */
final class Committer {
  /** Work that forces records and lets a key go. */
  interface Task {
    void run() throws IOException;
  }

  private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "journal-committer");
    t.setDaemon(true);
    return t;
  });
  private IOException failed;
  private int failures;

  void submit(Task task) {
    threads.execute(() -> {
      try {
        task.run();
      } catch (IOException e) {
        synchronized (this) {
          failures++;
          if (failed == null) {
            failed = e;
          }
        }
      }
    });
  }

  /** Waits for everything submitted; throws the first failure, saying how many there were. */
  void finish() throws IOException {
    threads.shutdown();
    try {
      while (!threads.awaitTermination(1, TimeUnit.MINUTES)) {
        // A full disk can make forcing slow; the records are still to be made durable.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while forcing the last outcomes to disk", e);
    }
    synchronized (this) {
      if (failed != null) {
        throw new IOException(Disk.reason(failed) + (failures > 1 ? " (and " + (failures - 1) + " more)" : ""), failed);
      }
    }
  }
}
