package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.postgres.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review of 27880e5's LineResult change: a line whose journal failed before sending
 * (JOURNAL_UNWRITABLE) is now counted "not sent", and the summary says that running the same batch
 * again finishes it. Not every such failure is passing: a key whose records include one that cannot
 * be read refuses every begin, run after run (it failed on 27880e5; such a line is now refused).
 */
class PostgresBatchReviewTest extends SandboxCase {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-batch-review"));
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

  /**
   * Finding 5. The summary's "run the same batch again to finish" is followed, and the line is
   * refused the same way again: the advice does not finish it (before 27880e5 it was counted an
   * error, which the summary does not promise a re-run finishes).
   */
  @Test
  void runningTheBatchAgainAsTheSummarySaysFinishesTheLine() throws Exception {
    Path file = tmp.resolve("one.jsonl");
    Files.writeString(
        file, "{\"path\":\"" + ASSIGNMENTS + "\",\"body\":" + ESSAY + ",\"key\":\"pg-dmg\"}\n");
    Cli.Result first = pg().run("list"); // makes the tables
    assertEquals(0, first.code(), first.toString());
    cluster.psql(
        "insert into edlink_idem_records (key, record) values"
            + " ('pg-dmg', convert_to('{\"k\":\"pg-dmg\",\"damaged\":true}' || chr(10), 'UTF8'))");

    Cli.Result run = pg().run("batch", file.toString(), "--retries", "0");
    System.err.println("first run: " + run);
    for (int again = 1;
        again <= 2 && run.err().contains("run the same batch again to finish");
        again++) {
      run = pg().run("batch", file.toString(), "--retries", "0");
      System.err.println("run " + (again + 1) + ": " + run);
    }
    assertFalse(
        run.err().contains("run the same batch again to finish"),
        "three runs, each told that running it again finishes the line, none did: " + run);
  }
}
