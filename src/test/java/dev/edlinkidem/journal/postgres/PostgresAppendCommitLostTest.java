package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An append whose COMMIT reached the server but whose answer was lost (the connection drops right
 * after it). appendNow catches the failed commit and answers "cannot tell whether key ... was
 * written"; it must never be run again ("A commit that fails is never run again"). But using() then
 * calls c.getAutoCommit() on the dead connection, which throws; being a repeatable() work on a
 * connection that was idle, it is run a second time on a new connection: the outcome's record is
 * appended twice and the caller hears that it was written once.
 */
class PostgresAppendCommitLostTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("commitlost");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Properties props() {
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    return props;
  }

  @Test
  void anOutcomeWhoseCommitAnswerWasLostIsNotWrittenTwice() throws Exception {
    cluster.dropJournal();
    try (CutAfterCommit proxy = new CutAfterCommit(cluster.port());
        PostgresJournal j =
            PostgresJournal.open(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
                props(),
                cluster.url(cluster.superuser()),
                Duration.ofMinutes(5),
                () -> {})) {
      Journal.Lease l = j.lease("k-lost");
      l.begin(
          new JournaledRequest(
              "POST",
              "https://ed.link/api/v2/graph/classes/c1/assignments",
              Map.of(),
              "{}".getBytes(StandardCharsets.UTF_8)),
          T0);
      proxy.arm("k-lost");
      String heard;
      try {
        l.recordOutcome(
            new Outcome(
                EntryState.SUCCEEDED,
                T0,
                new RecordedResponse(201, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                "post"));
        heard = "written";
      } catch (JournalException e) {
        heard = e.getMessage();
      }
      assertTrue(proxy.cut(), "the proxy never cut the outcome's commit");
      String records =
          cluster.psql("select count(*) from edlink_idem_records where key = 'k-lost'").strip();
      assertEquals(
          "2", records, "records of k-lost (begin + outcome expected); the caller heard: " + heard);
    }
  }

  /**
   * The same for a begin: run again, it finds its own record and the caller hears that the key
   * already has records "which may be this key's earlier request", not that it cannot tell whether
   * its begin was written; the begin is committed, so the key reads as pending.
   */
  @Test
  void aBeginWhoseCommitAnswerWasLostIsNotReportedAsAnEarlierRequest() throws Exception {
    cluster.dropJournal();
    try (CutAfterCommit proxy = new CutAfterCommit(cluster.port());
        PostgresJournal j =
            PostgresJournal.open(
                "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + cluster.database(),
                props(),
                cluster.url(cluster.superuser()),
                Duration.ofMinutes(5),
                () -> {})) {
      Journal.Lease l = j.lease("b-lost");
      proxy.arm("b-lost");
      String heard;
      try {
        l.begin(
            new JournaledRequest(
                "POST",
                "https://ed.link/api/v2/graph/classes/c1/assignments",
                Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8)),
            T0);
        heard = "written";
      } catch (JournalException e) {
        heard = e.getClass().getSimpleName() + ": " + e.getMessage();
      }
      assertTrue(proxy.cut(), "the proxy never cut the begin's commit");
      assertTrue(
          heard.contains("cannot tell whether key b-lost was written"),
          "the caller heard: " + heard);
    }
  }

  /** Forwards the chunk after the statement naming the armed key (its COMMIT), then cuts. */
  private static final class CutAfterCommit implements AutoCloseable {
    private final ServerSocket listening;
    private final int target;
    private final AtomicReference<String> marker = new AtomicReference<>();
    private final AtomicBoolean seen = new AtomicBoolean();
    private final AtomicBoolean didCut = new AtomicBoolean();

    CutAfterCommit(int target) throws IOException {
      this.target = target;
      this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(this::accept, "proxy-accept");
      accept.setDaemon(true);
      accept.start();
    }

    int port() {
      return listening.getLocalPort();
    }

    void arm(String m) {
      marker.set(m);
    }

    boolean cut() {
      return didCut.get();
    }

    private void accept() {
      while (!listening.isClosed()) {
        try {
          Socket client = listening.accept();
          Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
          AtomicBoolean swallow = new AtomicBoolean();
          pump(client, server, swallow, true);
          pump(server, client, swallow, false);
        } catch (IOException e) {
          return;
        }
      }
    }

    private void pump(Socket from, Socket to, AtomicBoolean swallow, boolean fromClient) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[65536];
                try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                  int n;
                  while ((n = in.read(buf)) >= 0) {
                    String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                    if (fromClient && marker.get() != null && chunk.contains(marker.get())) {
                      marker.set(null);
                      seen.set(true);
                    } else if (fromClient
                        && seen.get()) { // the COMMIT (a prepared S_n after the first)
                      seen.set(false);
                      swallow.set(true);
                      out.write(buf, 0, n);
                      out.flush();
                      Thread.sleep(300); // the server reads and commits it
                      didCut.set(true);
                      from.close();
                      to.close();
                      return;
                    }
                    if (!fromClient && swallow.get()) {
                      continue;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                  }
                } catch (IOException | InterruptedException e) {
                  // one side closed
                } finally {
                  try {
                    from.close();
                    to.close();
                  } catch (IOException ignored) {
                    // closing
                  }
                }
              },
              "proxy-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      listening.close();
    }
  }
}
