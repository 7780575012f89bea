package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adversarial review of the pooled PostgreSQL journal: each test failed on 27880e5, and says which
 * promise it broke.
 */
class PostgresPoolReviewTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("pool-review").slowWalWriter();
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

  private static PostgresJournal handle(Duration lease) throws Exception {
    return handle(cluster.jdbcUrl(), lease);
  }

  private static PostgresJournal handle(String jdbcUrl, Duration lease) throws Exception {
    return cluster.journal(jdbcUrl, lease, () -> {});
  }

  private static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of(),
        body.getBytes(StandardCharsets.UTF_8));
  }

  private static Attempt noAnswer() {
    return new Attempt(
        1, T0, Duration.ofMillis(30), Attempt.Result.NO_RESPONSE, 0, "connection reset", null);
  }

  private static Attempt answered() {
    return new Attempt(2, T0, Duration.ofMillis(30), Attempt.Result.RESPONSE, 201, null, "r");
  }

  private static Outcome succeeded() {
    return new Outcome(
        EntryState.SUCCEEDED,
        T0,
        new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
        "replay");
  }

  /**
   * Finding 1. A lease is committed without waiting for the disk. For a NEW key that is covered:
   * the forced begin carries it to disk before the first byte is sent. For a key that is already
   * pending (replay, a batch run again, a post of the same request: RESEND) nothing forced is
   * written between taking the lease and sending, so a crash of the server in that window loses the
   * lease while its holder sends, and the next process takes the key and sends it too: two
   * processes sending one key at once.
   */
  @Test
  void aLeaseTakenToResendAPendingKeySurvivesACrashOfTheServer() throws Exception {
    for (int round = 0; round < 3; round++) {
      String key = "k-resend-" + round;
      try (PostgresJournal a = handle(PostgresJournal.LEASE)) {
        try (Journal.Lease first = a.lease(key)) {
          first.begin(request("{\"r\":" + round + "}"), T0);
          first.recordAttempt(noAnswer()); // no answer: the entry stays pending
        }
        cluster.psql("checkpoint"); // all of that on disk, the lease given back too

        // Process A replays it: the settle rules say RESEND, and the request goes out now.
        Journal.Lease resending = a.lease(key);
        assertEquals(EntryState.PENDING, resending.entry().orElseThrow().state());
        cluster.crash(); // while A's request is out

        try (PostgresJournal b = handle(PostgresJournal.LEASE)) {
          try {
            b.lease(key).close();
            fail(
                "round "
                    + round
                    + ": process B took "
                    + key
                    + " after the crash while process A, which holds its lease and is sending"
                    + " it, is alive: two processes send the key at once");
          } catch (KeyInFlightException expected) {
            // right: A's lease was on disk
          }
        }
        resending.close();
      }
    }
  }

  /**
   * Finding 2. The renewer pushes back all of a process's leases in ONE update. Another session
   * holding a lock on ONE of those rows (a process asking for that key, paused by SIGSTOP or cut
   * off by the network between its upsert, which locks the row even when its WHERE refuses, and its
   * rollback) makes every renewal wait lock_timeout and fail, so a live, healthy holder loses ALL
   * its other keys, which others then take and send while it is still sending them.
   */
  @Test
  void oneLockedLeaseRowDoesNotCostALiveHolderItsOtherKeys() throws Exception {
    Duration lease = Duration.ofSeconds(3); // renewed every second
    try (PostgresJournal holder = handle(lease)) {
      Journal.Lease a = holder.lease("k-a");
      Journal.Lease b = holder.lease("k-b");
      b.begin(request("{\"b\":1}"), T0);
      try (Connection paused = cluster.connect()) {
        paused.setAutoCommit(false);
        try (Statement s = paused.createStatement()) {
          // Exactly what PostgresJournal.lease runs; k-a is in force, so it returns no holder and
          // the process would roll back: it is paused first.
          s.execute(
              "insert into edlink_idem_leases (key, holder, expires_at)"
                  + " values ('k-a', nextval('edlink_idem_holders'), now() + interval '3 s')"
                  + " on conflict (key) do update set holder = excluded.holder,"
                  + " expires_at = excluded.expires_at"
                  + " where edlink_idem_leases.expires_at < now()");
        }
        Thread.sleep(7000); // more than two leases' worth; the holder renews every second

        try (PostgresJournal other = handle(lease)) {
          assertThrows(
              KeyInFlightException.class,
              () -> other.lease("k-b").close(),
              "a third process took k-b from its live, renewing holder because another session"
                  + " held k-a's row locked");
        } finally {
          paused.rollback();
        }
      }
      a.close();
      b.close();
    }
  }

  /**
   * Finding 3. The server restarts while a request is out; its answer comes back and is recorded.
   * The write is given the idle connection the restart cut off, fails at its first statement
   * (before anything was committed, so running it again on a new connection is safe), and is not
   * run again: the outcome is lost and the line ends "outcome not journaled" although the server is
   * back.
   */
  @Test
  void anAnswerThatComesBackAfterARestartIsRecorded() throws Exception {
    try (PostgresJournal j = handle(PostgresJournal.LEASE)) {
      try (Journal.Lease lease = j.lease("k-out")) {
        lease.begin(request("{\"o\":1}"), T0);
        cluster.restart(); // while the request is out
        try {
          lease.recordFinal(answered(), succeeded());
        } catch (JournalException e) {
          fail("the outcome was lost though the server was back and nothing was committed: " + e);
        }
      }
      assertEquals(EntryState.SUCCEEDED, j.find("k-out").orElseThrow().state());
    }
  }

  /**
   * Finding 4. The lease's commit is done but its answer is lost (the connection drops right after
   * COMMIT reaches the server). {@code repeatable} runs the lease once more on a new connection; it
   * finds the row it just committed, in force, and says the key is in flight in ANOTHER process
   * (exit 3 at once; a batch line "refused"). The row names a holder nobody has: not renewed, not
   * given back on close, it blocks the key for everyone for a whole lease.
   */
  @Test
  void aLeaseWhoseCommitAnswerWasLostIsNotReportedInFlightElsewhere() throws Exception {
    try (CommitCuttingProxy proxy =
        new CommitCuttingProxy(cluster.port(), List.of("insert into edlink_idem_leases"), false)) {
      try (PostgresJournal j =
          handle(
              "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
              PostgresJournal.LEASE)) {
        j.find("warm"); // the connection open() made is idle: what repeatable runs again on
        proxy.arm("k-ack");
        try {
          j.lease("k-ack").close();
        } catch (KeyInFlightException e) {
          assertTrue(proxy.cut(), "the proxy never cut the lease's commit");
          String rows = cluster.psql("select key, holder from edlink_idem_leases").strip();
          fail(
              "the lease's own committed row, whose answer was lost, was taken for another"
                  + " process's (exit 3); the row left behind: "
                  + rows);
        }
        assertTrue(proxy.cut(), "the proxy never cut the lease's commit");
      }
    }
  }

  /**
   * Finding 7. No call has a bound: the connections have no socketTimeout (nor loginTimeout), so a
   * server that stops answering without closing its connections (its processes paused, a VM frozen,
   * a partition on an established connection, a hung disk) blocks a begin, an outcome, a lease, and
   * the renewer (which holds {@code renewing}, so close() blocks behind it) until TCP gives up,
   * which for a paused server on a live host is never. A post hangs before sending; a batch hangs
   * with every worker; a CI job hangs until its own timeout kills it.
   */
  @Test
  void aServerThatStopsAnsweringDoesNotHangABeginForever() throws Exception {
    // The journal's own bound is PostgresJournal.CALL_TIMEOUT (a minute), set where none is given;
    // given 5 s here, the test takes seconds, not a minute.
    Properties quick = cluster.superuserProps();
    quick.setProperty("socketTimeout", "5");
    try (PostgresJournal j =
        PostgresJournal.open(
            cluster.jdbcUrl(),
            quick,
            cluster.url(cluster.superuser()),
            PostgresJournal.LEASE,
            () -> {})) {
      Journal.Lease lease = j.lease("k-hang");
      long postmaster = cluster.pid().orElseThrow();
      java.util.List<Long> pids = new java.util.ArrayList<>();
      pids.add(postmaster);
      ProcessHandle.of(postmaster).orElseThrow().descendants().forEach(p -> pids.add(p.pid()));
      signal("STOP", pids);
      try {
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(90),
            () -> {
              try {
                lease.begin(request("{\"h\":1}"), T0);
              } catch (JournalException e) {
                // failing is fine: "nothing was sent" is true
              }
            },
            "a begin on a server that stopped answering was still waiting after 90 s");
      } finally {
        signal("CONT", pids);
      }
      lease.close();
    }
  }

  private static void signal(String signal, java.util.List<Long> pids) throws Exception {
    java.util.List<String> command =
        new java.util.ArrayList<>(java.util.List.of("kill", "-" + signal));
    pids.forEach(p -> command.add(Long.toString(p)));
    assertEquals(0, new ProcessBuilder(command).inheritIO().start().waitFor(), "kill -" + signal);
  }

  /**
   * Finding 6. OUTAGE_WAIT promises that a server out of reach costs a run 15 s once, "not on every
   * line". That holds for a server that refuses at once (RST). A host that does not answer at all
   * (down, firewalled, a partition: SYNs dropped) makes every call after the window still try one
   * connect, each up to connectTimeout (10 s), 8 at a time: a batch's remaining lines take 10 s / 8
   * each to fail, minutes to hours instead of 15 s.
   */
  @Test
  void aHostThatStopsAnsweringCostsTheOutageWaitOnceNotEveryCall() throws Exception {
    try (DarkProxy proxy = new DarkProxy(cluster.port())) {
      try (PostgresJournal j =
          handle(
              "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
              PostgresJournal.LEASE)) {
        j.find("warm");
        proxy.goDark();
        long t0 = System.nanoTime();
        assertThrows(JournalException.class, () -> j.find("during"));
        long first = (System.nanoTime() - t0) / 1_000_000;
        System.err.println("the first call failed after " + first + " ms");
        for (int i = 0; i < 2; i++) {
          long t = System.nanoTime();
          String key = "after-" + i;
          assertThrows(JournalException.class, () -> j.find(key));
          long took = (System.nanoTime() - t) / 1_000_000;
          assertTrue(
              took < 3000,
              "a call after the outage window had passed took "
                  + took
                  + " ms to fail (the first took "
                  + first
                  + " ms): every line of a batch pays it");
        }
      }
    }
  }

  /**
   * A TCP proxy to the server that can go dark: its connections are cut and its port then takes no
   * new connection and refuses none (a listener whose queue is full: SYNs are dropped), as a
   * database host that went down behind a firewall.
   */
  private static final class DarkProxy implements AutoCloseable {
    private final int target;
    private final int port;
    private volatile ServerSocket listening;
    private ServerSocket dark;
    private final java.util.List<Socket> queued = new java.util.ArrayList<>();
    private final java.util.List<Socket> open = new java.util.concurrent.CopyOnWriteArrayList<>();

    DarkProxy(int target) throws IOException {
      this.target = target;
      this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      this.port = listening.getLocalPort();
      Thread accept = new Thread(this::accept, "dark-proxy-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return port;
    }

    void goDark() throws IOException {
      listening.close();
      for (Socket s : open) {
        s.close();
      }
      dark = new ServerSocket();
      dark.setReuseAddress(true);
      // The smallest queue Java lets a listener have (0 would mean 50); never accepted from.
      for (int tries = 0; ; tries++) {
        try { // the closed listener lets the port go once its accepting thread has woken
          dark.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
          break;
        } catch (java.net.BindException stillBound) {
          if (tries == 50) {
            throw stillBound;
          }
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        }
      }
      while (true) { // filled until a connection is no longer taken: SYNs are then dropped
        Socket s = new Socket();
        try {
          s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
          queued.add(s);
        } catch (java.net.SocketTimeoutException full) {
          s.close();
          return;
        }
      }
    }

    private void accept() {
      while (true) {
        try {
          Socket client = listening.accept();
          Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
          open.add(client);
          open.add(server);
          pipe(client, server);
          pipe(server, client);
        } catch (IOException e) {
          return;
        }
      }
    }

    private static void pipe(Socket from, Socket to) {
      Thread t =
          new Thread(
              () -> {
                try {
                  from.getInputStream().transferTo(to.getOutputStream());
                } catch (IOException e) {
                  // cut
                } finally {
                  try {
                    from.close();
                    to.close();
                  } catch (IOException ignored) {
                    // closing
                  }
                }
              },
              "dark-proxy-pipe");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      listening.close();
      for (Socket s : queued) {
        s.close();
      }
      if (dark != null) {
        dark.close();
      }
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
