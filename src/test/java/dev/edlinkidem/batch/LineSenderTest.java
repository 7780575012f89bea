package dev.edlinkidem.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Compaction;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.time.ManualTime;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One batch line settled under its lease, by the settle rules post follows. */
class LineSenderTest {
  @TempDir Path tmp;

  private HttpServer server;
  private int requests;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests++;
          byte[] out = "{\"$data\":{}}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, out.length);
          exchange.getResponseBody().write(out);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private JournaledRequest request() {
    return JournaledRequest.post(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2/graph/x",
        "{}".getBytes(StandardCharsets.UTF_8));
  }

  private LineSender lineSender(Journal journal, ManualTime time) {
    EdlinkClient client =
        new EdlinkClient(Network.DIRECT.client(Duration.ofSeconds(5), true), "tok", "test");
    Sender sender =
        new Sender(
            client,
            RetryPolicy.of(0, Duration.ofSeconds(5), Duration.ofSeconds(10)),
            time,
            new Random(1),
            (a, w) -> {});
    return new LineSender(journal, sender, time, time::now, () -> false);
  }

  @Test
  void aNewLineIsJournaledSentAndLearnedByPost() throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("j"))) {
      LineResult r =
          lineSender(journal, new ManualTime())
              .settle(
                  3,
                  "/api/v2/graph/x",
                  new LineSender.Asked("k-new", null, request(), request()),
                  Sender.Pace.NONE);
      assertEquals(Row.SUCCEEDED, r.row(), r.toString());
      assertEquals(LineResult.Kind.SUCCEEDED, r.kind());
      assertEquals(1, requests);
      assertEquals("post", journal.find("k-new").orElseThrow().outcome().via());
    }
  }

  @Test
  void aPendingLineSentAgainWhoseOutcomeCannotBeJournaledSaysItMayHaveReachedEdlink()
      throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("j"))) {
      try (Journal.Lease lease = journal.lease("k-pending")) {
        lease.begin(request(), Instant.parse("2026-11-22T08:00:00Z"));
      }
      LineResult r =
          lineSender(new FailingWrites(journal), new ManualTime())
              .settle(
                  4,
                  "/api/v2/graph/x",
                  new LineSender.Asked("k-pending", null, request(), request()),
                  Sender.Pace.NONE);
      assertEquals(1, requests, "the line was sent again");
      // The batch's copy of the rule said "nothing was sent for this line" when a resend's outcome
      // could not be journaled; post's said it may have reached Edlink, which is what happened.
      assertEquals(Row.OUTCOME_NOT_JOURNALED, r.row(), r.toString());
      assertEquals(ExitCode.INTERNAL, r.exit());
      assertEquals(
          LineResult.Kind.PENDING, r.kind(), "counted as pending: the batch run again finishes it");
      assertTrue(r.message().startsWith("the request may have reached Edlink"), r.message());
    }
  }

  /** A journal whose leases cannot write attempts or outcomes: a disk that filled up mid-send. */
  private static final class FailingWrites implements Journal {
    private final Journal journal;

    FailingWrites(Journal journal) {
      this.journal = journal;
    }

    @Override
    public List<Entry> entries() throws JournalException {
      return journal.entries();
    }

    @Override
    public Optional<Entry> find(String key) throws JournalException {
      return journal.find(key);
    }

    @Override
    public List<dev.edlinkidem.journal.EntrySummary> summaries() throws JournalException {
      return journal.summaries();
    }

    @Override
    public Optional<dev.edlinkidem.journal.Tombstone> tombstone(String key)
        throws JournalException {
      return journal.tombstone(key);
    }

    @Override
    public List<dev.edlinkidem.journal.Tombstone> forgetTombstones(
        Instant endedBefore, boolean dryRun) throws JournalException {
      return journal.forgetTombstones(endedBefore, dryRun);
    }

    @Override
    public Compaction remove(Collection<String> keys, boolean dryRun) throws JournalException {
      return journal.remove(keys, dryRun);
    }

    @Override
    public Compaction merge(List<Entry> incoming, boolean dryRun) throws JournalException {
      return journal.merge(incoming, dryRun);
    }

    @Override
    public List<Problem> problems() {
      return journal.problems();
    }

    @Override
    public String location() {
      return journal.location();
    }

    @Override
    public Lease lease(String key) throws JournalException, KeyInFlightException {
      Lease lease = journal.lease(key);
      return new Lease() {
        @Override
        public String key() {
          return lease.key();
        }

        @Override
        public Optional<Entry> entry() throws JournalException {
          return lease.entry();
        }

        @Override
        public Entry begin(JournaledRequest request, Instant at, Runnable writing)
            throws JournalException {
          return lease.begin(request, at, writing);
        }

        @Override
        public void recordAttempt(Attempt attempt) throws JournalException {
          throw new JournalException("cannot write the journal: No space left on device");
        }

        @Override
        public void recordOutcome(Outcome outcome) throws JournalException {
          throw new JournalException("cannot write the journal: No space left on device");
        }

        @Override
        public void close() throws JournalException {
          lease.close();
        }
      };
    }

    @Override
    public void close() throws JournalException {
      journal.close();
    }
  }
}
