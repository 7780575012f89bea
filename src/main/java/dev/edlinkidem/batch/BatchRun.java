package dev.edlinkidem.batch;

import dev.edlinkidem.request.CanonicalUrl;
import dev.edlinkidem.request.InvalidRequestException;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.verdict.Verdict;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One run of a batch file: reads its lines, checks each (its URL, its key, whether an earlier line
 * names the same key), and settles each on one of a pool of workers. Twice as many workers as
 * requests may be in flight: while some wait for answers, others journal the next lines, so the
 * journal's forced writes are not in the way of the requests. A line waiting to try again gives its
 * place to the next, up to {@link #WAITING} of them.
 */
public final class BatchRun implements AutoCloseable {
  /** Hears of each line as it ends, from many threads, after the tally has counted it. */
  public interface Listener {
    void lineDone(LineResult result);
  }

  /**
   * Lines that may wait out a retry (a backoff, a 429's Retry-After) beside the workers: a waiting
   * line gives its worker's place to the next line, on a thread of its own.
   */
  static final int WAITING = 512;

  private final Pace pace;
  private final Tally tally;
  private final LineSender sender;
  private final Listener listener;
  private final Function<String, String> urlOf;
  private final int workerCount;
  private final ExecutorService workers;

  /**
   * @param concurrency requests in flight at once (the pace holds them to it)
   * @param urlOf the full URL for a line's path, by the token-destination rule
   */
  public BatchRun(
      int concurrency,
      Pace pace,
      Tally tally,
      LineSender sender,
      Listener listener,
      Function<String, String> urlOf) {
    this.pace = pace;
    this.tally = tally;
    this.sender = sender;
    this.listener = listener;
    this.urlOf = urlOf;
    this.workerCount = 2 * concurrency;
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "batch-worker");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Reads the lines and hands each request to a worker, at most one line per worker at a time, in
   * the file's order, until the file ends or the tally says stop. Lines still with workers go on;
   * {@link #finish} waits for them.
   *
   * @param countTheRest whether the lines after a stop are read, to be counted as not sent (or
   *     malformed): yes for a file, not for a pipe, whose writer may never end
   */
  public void feed(BatchFile lines, boolean countTheRest) throws IOException, InterruptedException {
    Semaphore slots = new Semaphore(workerCount);
    Semaphore threads = new Semaphore(workerCount + WAITING);
    Map<String, Seen> seen = new HashMap<>();
    long handed = 0;
    BatchFile.Line line;
    while ((countTheRest || !tally.stopping()) && (line = lines.next()) != null) {
      if (line instanceof BatchFile.Malformed m) {
        done(LineResult.malformed(m.number(), m.reason()), false);
        continue;
      }
      BatchFile.Request r = (BatchFile.Request) line;
      String url;
      try {
        url = urlOf.apply(r.path());
      } catch (InvalidRequestException e) {
        done(LineResult.malformed(r.number(), e.getMessage()), false);
        continue;
      }
      // A line goes to its URL spelled canonically, and a line without a key is keyed by that
      // request, so that the same line run again has the same key however its URL is spelled.
      JournaledRequest spelled = JournaledRequest.post(url, r.body());
      String canonical = CanonicalUrl.of(url);
      JournaledRequest request =
          canonical.equals(url) ? spelled : JournaledRequest.post(canonical, r.body());
      String key = r.keyFor(url);
      // Earlier builds keyed such a line by its URL as spelled: a journal may hold that key.
      String asSpelled = r.key() == null && request != spelled ? spelled.fingerprint() : null;
      Seen first = seen.putIfAbsent(key, new Seen(r.number(), request.fingerprint()));
      if (first != null) {
        done(
            first.fingerprint().equals(request.fingerprint())
                ? LineResult.sameAs(r.number(), r.path(), key, first.line())
                : LineResult.keyClash(r.number(), r.path(), key, first.line()),
            false);
        continue;
      }
      if (tally.stopping()) {
        done(LineResult.of(r.number(), r.path(), Verdict.notStarted(key)), false);
        continue;
      }
      threads.acquire();
      try {
        slots.acquire();
      } catch (InterruptedException e) {
        threads.release();
        throw e;
      }
      if (tally.stopping()) {
        slots.release();
        threads.release();
        done(LineResult.of(r.number(), r.path(), Verdict.notStarted(key)), false);
        continue;
      }
      tally.started();
      Runnable freeSlot = once(slots::release);
      Pace.Line turn = pace.line(handed++, freeSlot);
      try {
        workers.execute(
            () -> {
              try {
                done(
                    sender.settle(
                        r.number(),
                        r.path(),
                        new LineSender.Asked(key, asSpelled, request, spelled),
                        turn),
                    true);
              } finally {
                turn.close();
                freeSlot.run();
                threads.release();
              }
            });
      } catch (RuntimeException e) {
        turn.close();
        freeSlot.run();
        threads.release();
        throw e;
      }
    }
  }

  /** {@code r}, run the first time only, from whichever thread. */
  private static Runnable once(Runnable r) {
    AtomicBoolean ran = new AtomicBoolean();
    return () -> {
      if (ran.compareAndSet(false, true)) {
        r.run();
      }
    };
  }

  private void done(LineResult result, boolean started) {
    tally.done(result, started);
    listener.lineDone(result);
  }

  /** Waits for every line handed to a worker to end; a batch may run for hours. */
  public void finish() throws InterruptedException {
    workers.shutdown();
    while (!workers.awaitTermination(1, TimeUnit.HOURS)) {
      // It ends when its last line does.
    }
  }

  /**
   * Interrupts the lines in flight (they stay pending) and waits up to {@code wait} for the workers
   * to end; false when some did not, so the journal must not be closed under them.
   */
  public boolean interrupt(Duration wait) throws InterruptedException {
    workers.shutdownNow();
    return workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }

  /** The first line of the file with a key, and its request's fingerprint. */
  private record Seen(int line, String fingerprint) {}
}
