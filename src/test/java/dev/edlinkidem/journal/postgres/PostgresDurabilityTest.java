package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the PostgreSQL journal's commits promise when the server crashes or restarts under it: a
 * begin is on the server's disk when {@code begin} returns; an outcome left unforced (a batch's) is
 * either there or its entry reads as pending; and a journal that lived through a restart goes on
 * working on new connections.
 */
class PostgresDurabilityTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("durability").slowWalWriter();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void dropTheTables() throws Exception {
    cluster.dropJournal();
  }

  private static PostgresJournal handle() throws Exception {
    return cluster.journal(PostgresJournal.LEASE);
  }

  private static JournaledRequest request(int i) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of(),
        ("{\"title\":\"t" + i + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static Attempt attempt() {
    return new Attempt(1, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 201, null, "r");
  }

  private static Outcome succeeded() {
    return new Outcome(
        EntryState.SUCCEEDED,
        T0,
        new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
        "post");
  }

  /**
   * The server crashes the moment a begin returns, before anything else is written: the begin is
   * there when it comes back. A begin committed without waiting for the disk is lost here.
   */
  @Test
  void aBeginIsOnTheServersDiskWhenItReturns() throws Exception {
    for (int round = 0; round < 4; round++) {
      String key = "k-begin-" + round;
      try (PostgresJournal j = handle()) {
        Journal.Lease lease = j.lease(key);
        lease.begin(request(round), T0);
        cluster.crash();
      }
      try (PostgresJournal j = handle()) {
        Optional<Entry> found = j.find(key);
        assertTrue(found.isPresent(), "round " + round + ": the begin was lost in the crash");
        assertEquals(EntryState.PENDING, found.get().state());
        assertEquals(
            Set.of(key),
            Set.copyOf(j.summaries().stream().map(s -> s.key()).toList()),
            "round " + round + ": the summary and the records disagree");
      }
      cluster.dropJournal();
    }
  }

  /**
   * A batch's outcomes do not wait for the disk: after a crash each entry is either finished, as
   * recorded, or pending, which is safe (sending its key again gets Edlink's recorded answer); its
   * begin is always there, and its summary says what its records say.
   */
  @Test
  void anOutcomeLeftUnforcedIsThereOrItsEntryReadsPending() throws Exception {
    int n = 20;
    try (PostgresJournal j = handle()) {
      j.leaveOutcomesUnforced();
      for (int i = 0; i < n; i++) {
        try (Journal.Lease lease = j.lease("k-" + i)) {
          lease.begin(request(i), T0);
          lease.recordFinal(attempt(), succeeded());
        }
      }
      cluster.crash();
    }
    try (PostgresJournal j = handle()) {
      assertEquals(n, j.entries().size(), "a begin was lost");
      assertTrue(j.problems().isEmpty(), () -> "problems: " + j.problems());
      for (var s : j.summaries()) {
        EntryState state = j.find(s.key()).orElseThrow().state();
        assertTrue(
            state == EntryState.SUCCEEDED || state == EntryState.PENDING,
            s.key() + " reads " + state);
        assertEquals(state, s.state(), s.key() + ": the summary and the records disagree");
      }
    }
  }

  /**
   * A journal open while the server restarts goes on working: its connections were cut off, and it
   * makes new ones (a batch or a shell that outlives a restart).
   */
  @Test
  void aJournalGoesOnWorkingAfterTheServerRestarts() throws Exception {
    try (PostgresJournal j = handle()) {
      try (Journal.Lease lease = j.lease("k-before")) {
        lease.begin(request(1), T0);
        lease.recordFinal(attempt(), succeeded());
      }
      cluster.restart();
      assertEquals(EntryState.SUCCEEDED, j.find("k-before").orElseThrow().state());
      try (Journal.Lease lease = j.lease("k-after")) {
        lease.begin(request(2), T0);
        lease.recordFinal(attempt(), succeeded());
      }
      assertEquals(2, j.summaries().size());
    }
  }

  /**
   * A call made while the server is down for a restart waits for it to come back, instead of
   * failing at once (a batch would otherwise fail every line it reached in the meantime).
   */
  @Test
  void aCallMadeWhileTheServerRestartsWaitsForIt() throws Exception {
    try (PostgresJournal j = handle()) {
      j.summaries(); // connected once
      cluster.stop();
      Thread back =
          new Thread(
              () -> {
                try {
                  Thread.sleep(1500);
                  cluster.restart();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      back.start();
      try (Journal.Lease lease = j.lease("k-during")) {
        lease.begin(request(3), T0);
        lease.recordFinal(attempt(), succeeded());
      } finally {
        back.join();
      }
      assertEquals(EntryState.SUCCEEDED, j.find("k-during").orElseThrow().state());
    }
  }
}
