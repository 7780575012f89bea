package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.JournalException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The group commit: a lone call runs at once and alone; calls that come while a group runs are run
 * together next, no two naming a key, at most so many; each hears its own result.
 */
class GroupedCallsTest {
  private final ExecutorService threads = Executors.newCachedThreadPool();

  /** The groups run, in order, each as the calls it held. */
  private final List<List<String>> groups = Collections.synchronizedList(new ArrayList<>());

  /** Opened to let the first group end. */
  private final CountDownLatch firstMayEnd = new CountDownLatch(1);

  @AfterEach
  void stop() {
    firstMayEnd.countDown();
    threads.shutdownNow();
  }

  /** Calls are keys ("k1", or "k1:again" for a second call naming k1); a call of "bad" fails. */
  private GroupedCalls<String, String> grouped(int most, boolean holdFirst) {
    return new GroupedCalls<>(
        group -> {
          groups.add(List.copyOf(group));
          if (holdFirst && groups.size() == 1) {
            await(firstMayEnd);
          }
          List<GroupedCalls.Result<String>> results = new ArrayList<>();
          for (String call : group) {
            results.add(
                call.startsWith("bad")
                    ? GroupedCalls.Result.failed(new JournalException("refused: " + call))
                    : GroupedCalls.Result.of("done " + call));
          }
          return results;
        },
        call -> List.of(call.split(":")[0]),
        most);
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(10, TimeUnit.SECONDS), "the test let it go");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "timed out waiting");
      Thread.sleep(5);
    }
  }

  private Future<String> callLater(GroupedCalls<String, String> grouped, String call) {
    return threads.submit(() -> grouped.call(call));
  }

  @Test
  void aLoneCallRunsAtOnceAndAlone() throws Exception {
    GroupedCalls<String, String> grouped = grouped(64, false);
    assertEquals("done k1", grouped.call("k1"));
    assertEquals("done k2", grouped.call("k2"));
    assertEquals(List.of(List.of("k1"), List.of("k2")), groups);
    assertArrayEquals(new long[] {2, 2}, grouped.counts());
  }

  @Test
  void callsThatComeWhileAGroupRunsRunTogetherNext() throws Exception {
    GroupedCalls<String, String> grouped = grouped(64, true);
    Future<String> first = callLater(grouped, "k1");
    waitFor(() -> groups.size() == 1);
    List<Future<String>> later = new ArrayList<>();
    for (String call : List.of("k2", "k3", "k4")) {
      later.add(callLater(grouped, call));
      waitFor(() -> grouped.waiting() == later.size());
    }
    firstMayEnd.countDown();
    assertEquals("done k1", first.get(10, TimeUnit.SECONDS));
    for (int i = 0; i < later.size(); i++) {
      assertEquals("done k" + (i + 2), later.get(i).get(10, TimeUnit.SECONDS));
    }
    assertEquals(List.of(List.of("k1"), List.of("k2", "k3", "k4")), groups);
    assertArrayEquals(new long[] {2, 4}, grouped.counts());
  }

  @Test
  void aGroupNeverHoldsTwoCallsNamingOneKeyNorMoreThanItsMost() throws Exception {
    GroupedCalls<String, String> grouped = grouped(2, true);
    Future<String> first = callLater(grouped, "k0");
    waitFor(() -> groups.size() == 1);
    List<Future<String>> later = new ArrayList<>();
    for (String call : List.of("k1", "k1:again", "k2", "k3")) {
      later.add(callLater(grouped, call));
      waitFor(() -> grouped.waiting() == later.size());
    }
    firstMayEnd.countDown();
    first.get(10, TimeUnit.SECONDS);
    for (Future<String> f : later) {
      f.get(10, TimeUnit.SECONDS);
    }
    // Oldest first: k1 and k2 (k1:again names k1), then k1:again and k3.
    assertEquals(List.of(List.of("k0"), List.of("k1", "k2"), List.of("k1:again", "k3")), groups);
  }

  @Test
  void eachCallHearsItsOwnFailure() throws Exception {
    GroupedCalls<String, String> grouped = grouped(64, true);
    Future<String> first = callLater(grouped, "k0");
    waitFor(() -> groups.size() == 1);
    Future<String> good = callLater(grouped, "k1");
    waitFor(() -> grouped.waiting() == 1);
    Future<String> bad = callLater(grouped, "bad");
    waitFor(() -> grouped.waiting() == 2);
    firstMayEnd.countDown();
    first.get(10, TimeUnit.SECONDS);
    assertEquals("done k1", good.get(10, TimeUnit.SECONDS));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof JournalException, String.valueOf(e.getCause()));
    assertEquals("refused: bad", e.getCause().getMessage());
    assertEquals(List.of("k1", "bad"), groups.get(1));
  }

  @Test
  void whatBreaksAGroupReachesEveryCallInIt() throws Exception {
    IllegalStateException broken = new IllegalStateException("a mistake of the run's");
    GroupedCalls<String, String> grouped =
        new GroupedCalls<>(
            group -> {
              throw broken;
            },
            List::of,
            64);
    assertSame(broken, assertThrows(IllegalStateException.class, () -> grouped.call("k1")));
    // The next call still runs: the failure ended the group, not the instance.
    assertSame(broken, assertThrows(IllegalStateException.class, () -> grouped.call("k2")));
    assertArrayEquals(new long[] {2, 2}, grouped.counts());
  }

  @Test
  void anInterruptedCallerStillHearsItsResultAndKeepsTheInterrupt() throws Exception {
    GroupedCalls<String, String> grouped = grouped(64, true);
    Future<String> first = callLater(grouped, "k0");
    waitFor(() -> groups.size() == 1);
    CountDownLatch interrupted = new CountDownLatch(1);
    Future<Boolean> later =
        threads.submit(
            () -> {
              Thread.currentThread().interrupt();
              interrupted.countDown();
              String result = grouped.call("k1");
              assertEquals("done k1", result);
              return Thread.currentThread().isInterrupted();
            });
    await(interrupted);
    waitFor(() -> grouped.waiting() == 1);
    firstMayEnd.countDown();
    first.get(10, TimeUnit.SECONDS);
    assertTrue(later.get(10, TimeUnit.SECONDS), "the interrupt is kept for the caller");
  }
}
