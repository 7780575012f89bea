package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.sandbox.Faults;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Damaged keys on the PostgreSQL journal, whose problems() gathers the unreadable records of every
 * one-key read (reset only by entries()): within one command the damage of one key was taken for
 * another's (the ninth review, of 985f697). Commands now ask the journal for one key's read.
 */
class PostgresDamagedKeysTest extends SandboxCase {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-rev9"));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void aNewJournal() throws Exception {
    cluster.dropJournal();
  }

  private Cli pg() {
    return cli()
        .env("EDLINK_IDEM_JOURNAL", cluster.url(cluster.passwordUser()))
        .env("PGPASSWORD", cluster.password());
  }

  /** Created on the sandbox, its answer lost: pending. */
  private void pending(String key) {
    sandbox.setFaults(faults(1, 0, 0, 0, Duration.ZERO));
    Cli.Result r = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key, "--retries", "0");
    sandbox.setFaults(Faults.NONE);
    assertEquals(6, r.code(), r.toString());
  }

  /** Every record of the key replaced by a line that is not JSON. */
  private static void notJson(String key) throws Exception {
    cluster.psql(
        "update edlink_idem_records set record = convert_to('not json' || chr(10), 'UTF8')"
            + " where key = '"
            + key
            + "'");
  }

  /** The key's begin record edited: its checksum no longer holds. */
  private static void checksumBroken(String key) throws Exception {
    cluster.psql(
        "update edlink_idem_records set record = convert_to(replace(convert_from(record, 'UTF8'),"
            + " '\"type\":\"begin\"', '\"type\":\"begim\"'), 'UTF8') where key = '"
            + key
            + "'");
  }

  private static String lineFor(String text, String start) {
    return text.lines().filter(l -> l.startsWith(start)).findFirst().orElse("<none>");
  }

  /**
   * Two pending keys whose records are damaged differently. The line for the second names the
   * second's damage: at 985f697 it named the first key's record ("not json") as its own, and
   * counted the first key's records among its own ("and N more").
   */
  @Test
  void replayAllPendingNamesEachKeysOwnDamage() throws Exception {
    pending("bad-a-0001"); // older: read first
    pending("bad-b-0001");
    notJson("bad-a-0001");
    checksumBroken("bad-b-0001");
    // What each key's damage is, read alone.
    Cli.Result a = pg().run("--quiet", "show", "bad-a-0001");
    Cli.Result b = pg().run("--quiet", "show", "bad-b-0001");
    String ownOfB =
        b.err().strip().substring("edlink-idem: the entry of bad-b-0001 cannot be read: ".length());

    Cli.Result r = pg().run("replay", "--all-pending", "--yes");
    assertEquals(1, r.code(), r.toString());
    assertEquals(1, a.code(), a.toString());
    String aboutB = lineFor(r.out(), "bad-b-0001\t");
    assertEquals(
        "bad-b-0001\tunreadable\t-\tthe entry of bad-b-0001 cannot be read: "
            + ownOfB
            + "; not sent",
        aboutB,
        "bad-b-0001's line names bad-b-0001's own unreadable records");
  }

  /**
   * reconcile of a pending key that another process removed (prune --include-pending) while
   * reconcile read Edlink's request log, after a damaged key: the removed key must be "no longer
   * pending", as on a directory, not "its records are damaged". At 985f697 it was said to be
   * damaged: the journal's problems() still held the damaged key's record.
   */
  @Test
  void reconcileOfAKeyRemovedMeanwhileIsNotSaidToBeDamaged() throws Exception {
    pending("bad-a-0001"); // older: settled first
    pending("gone-0001");
    notJson("bad-a-0001");
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    onRequest =
        line -> {
          if (line.contains("GET /api/v2/graph/requests")) {
            onRequest = l -> {};
            try (PostgresJournal other = cluster.journal(Duration.ofSeconds(30))) {
              assertEquals(
                  List.of("gone-0001"), other.remove(List.of("gone-0001"), false).changed());
            } catch (Throwable t) {
              failed.add(t);
            }
          }
        };
    Cli.Result r = pg().run("reconcile", "--all-pending");
    assertTrue(failed.isEmpty(), failed.toString());
    assertTrue(
        lineFor(r.out(), "bad-a-0001\t")
            .startsWith(
                "bad-a-0001\tskipped\t-\tthe entry of bad-a-0001 cannot be read: its records are"
                    + " damaged: "),
        r.toString());
    String gone = lineFor(r.out(), "gone-0001\t");
    assertEquals("gone-0001\tskipped\t-\tno longer pending", gone, r.toString());
    assertFalse(gone.contains("damaged"), r.toString());
  }
}
