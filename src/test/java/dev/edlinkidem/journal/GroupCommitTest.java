package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
  @TempDir Path dir;

  /** A record whose forcing is counted, may fail, and may hold until released. */
  static final class Record implements GroupCommit.Unforced {
    final AtomicInteger forced;
    final CountDownLatch release;
    final boolean fails;
    final List<Path> dirs;

    Record(AtomicInteger forced, CountDownLatch release, boolean fails, List<Path> dirs) {
      this.forced = forced;
      this.release = release;
      this.fails = fails;
      this.dirs = dirs;
    }

    /** Counted down when forcing begins. */
    final CountDownLatch began = new CountDownLatch(1);

    @Override
    public void forceFile() throws IOException {
      began.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      if (fails) {
        throw new IOException("No space left on device");
      }
      forced.incrementAndGet();
    }

    @Override
    public List<Path> directories() {
      return dirs;
    }
  }

  @Test
  void aWriterAloneForcesItsOwnRecordAtOnce() throws Exception {
    GroupCommit commits = new GroupCommit();
    AtomicInteger forced = new AtomicInteger();
    commits.force(new Record(forced, new CountDownLatch(0), false, List.of(dir)));
    assertEquals(1, forced.get());
    assertArrayEquals(new long[] {1, 1}, commits.counts());
  }

  @Test
  void writersArrivingDuringAForceShareTheNextOne() throws Exception {
    GroupCommit commits = new GroupCommit();
    AtomicInteger forced = new AtomicInteger();
    CountDownLatch firstHolds = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> writers = new ArrayList<>();
      Record first = new Record(forced, firstHolds, false, List.of());
      writers.add(
          pool.submit(
              () -> {
                commits.force(first);
                return null;
              }));
      assertTrue(first.began.await(10, TimeUnit.SECONDS), "the first writer forces its record");
      for (int i = 0; i < 15; i++) {
        writers.add(
            pool.submit(
                () -> {
                  commits.force(new Record(forced, new CountDownLatch(0), false, List.of(dir)));
                  return null;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (commits.waiting() < 15 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(15, commits.waiting(), "fifteen writers wait while the first one forces");
      firstHolds.countDown();
      for (Future<?> w : writers) {
        w.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(16, forced.get());
    assertArrayEquals(new long[] {2, 16}, commits.counts(), "sixteen records in two forces");
  }

  @Test
  void aFailedForceIsThrownToItsWriterOnly() throws Exception {
    GroupCommit commits = new GroupCommit();
    AtomicInteger forced = new AtomicInteger();
    IOException e =
        assertThrows(
            IOException.class,
            () -> commits.force(new Record(forced, new CountDownLatch(0), true, List.of())));
    assertTrue(e.getMessage().contains("No space"));
    commits.force(new Record(forced, new CountDownLatch(0), false, List.of()));
    assertEquals(1, forced.get());
  }

  @Test
  void aDirectoryThatCannotBeForcedFailsTheRecordsThatNeedIt() {
    GroupCommit commits = new GroupCommit();
    AtomicInteger forced = new AtomicInteger();
    assertThrows(
        IOException.class,
        () ->
            commits.force(
                new Record(forced, new CountDownLatch(0), false, List.of(dir.resolve("gone")))));
  }
}
