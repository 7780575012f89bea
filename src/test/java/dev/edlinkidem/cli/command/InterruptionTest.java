package dev.edlinkidem.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.verdict.Row;
import dev.edlinkidem.verdict.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Ctrl-C's hook and the journal write take turns, so what the hook says is true. */
class InterruptionTest {
  private static final JournaledRequest REQUEST =
      JournaledRequest.post(
          "https://ed.link/api/v2/graph/classes/c/assignments",
          "{}".getBytes(StandardCharsets.UTF_8));
  private static final Entry BEGUN =
      new Entry(
          "k1",
          Instant.parse("2026-11-01T08:00:00Z"),
          REQUEST,
          REQUEST.fingerprint(),
          List.of(),
          null);

  private final List<Verdict> said = new CopyOnWriteArrayList<>();

  private Interruption interruption(Entry known, Duration writeWait) {
    return new Interruption("k1", known, said::add, writeWait);
  }

  private Row saidRow() {
    assertEquals(1, said.size(), said.toString());
    return said.get(0).row();
  }

  @Test
  void ctrlCBeforeTheWriteSaysNothingWasSentAndTheWriteNeverHappens() {
    Interruption i = interruption(null, Duration.ofSeconds(5));
    i.report();
    AtomicBoolean wrote = new AtomicBoolean();
    CliException stop =
        assertThrows(
            CliException.class,
            () ->
                i.journal(
                    writing -> {
                      writing.run(); // the journal, its locks held, about to write
                      wrote.set(true);
                      return BEGUN;
                    }));
    assertNull(stop.getMessage(), "already said");
    assertEquals(130, stop.exitCode());
    assertEquals(false, wrote.get());
    assertEquals(Row.INTERRUPTED_BEFORE_SENDING, saidRow());
  }

  /** A command journaling on its own thread, held inside the write until {@link #finish}. */
  private static final class SlowWrite {
    final CountDownLatch inWrite = new CountDownLatch(1);
    final CountDownLatch finishWrite = new CountDownLatch(1);
    volatile CliException stop;
    final Thread command;

    SlowWrite(Interruption i) throws InterruptedException {
      command =
          new Thread(
              () -> {
                try {
                  i.journal(
                      writing -> {
                        writing.run();
                        inWrite.countDown();
                        await(finishWrite);
                        return BEGUN;
                      });
                } catch (CliException e) {
                  stop = e;
                }
              });
      command.start();
      assertTrue(inWrite.await(10, TimeUnit.SECONDS));
    }

    void finish() throws InterruptedException {
      finishWrite.countDown();
      command.join(10_000);
    }
  }

  @Test
  void ctrlCDuringTheWriteWaitsForItSaysPendingAndStopsTheSend() throws Exception {
    Interruption i = interruption(null, Duration.ofSeconds(30));
    SlowWrite write = new SlowWrite(i);
    Thread hook = new Thread(i::report);
    hook.start();
    awaitWaiting(hook);
    assertTrue(said.isEmpty(), "the hook waits for the write: " + said);
    write.finish();
    hook.join(10_000);
    assertEquals(Row.INTERRUPTED, saidRow());
    assertSame(BEGUN, said.get(0).entry());
    assertEquals(130, write.stop.exitCode(), "written after Ctrl-C: journaled, but not sent");
  }

  @Test
  void aWriteThatOutlastsTheWaitIsSaidToMaybeLeaveTheKeyPending() throws Exception {
    Interruption i = interruption(null, Duration.ofMillis(100));
    SlowWrite write = new SlowWrite(i);
    i.report();
    assertEquals(Row.INTERRUPTED_WHILE_JOURNALING, saidRow());
    write.finish();
    assertEquals(130, write.stop.exitCode(), "written after Ctrl-C: journaled, but not sent");
  }

  @Test
  void aWriteThatFailsLeavesNothingWasSent() {
    Interruption i = interruption(null, Duration.ofSeconds(5));
    assertThrows(
        IllegalStateException.class,
        () ->
            i.journal(
                writing -> {
                  writing.run();
                  throw new IllegalStateException("disk full");
                }));
    i.report();
    assertEquals(Row.INTERRUPTED_BEFORE_SENDING, saidRow());
  }

  @Test
  void anEntryAlreadyJournaledStaysPending() {
    Interruption i = interruption(BEGUN, Duration.ofSeconds(5));
    i.report();
    assertEquals(Row.INTERRUPTED, saidRow());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitWaiting(Thread t) throws InterruptedException {
    for (int i = 0; i < 1000 && t.getState() != Thread.State.TIMED_WAITING; i++) {
      Thread.sleep(10);
    }
    assertEquals(Thread.State.TIMED_WAITING, t.getState(), "the hook waits for the write");
  }
}
