package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.Selection;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server whose role has a statement_timeout (as shared, managed servers often do) still lets
 * {@code list --format keys} stream a large journal to a reader slower than that timeout: each
 * round trip is short, however long the whole listing takes.
 */
class PostgresKeysUnderStatementTimeoutTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("keys-timeout"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void keysStreamToASlowReaderPastTheServersStatementTimeout() throws Exception {
    cluster.dropJournal();
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    try (PostgresJournal journal =
        PostgresJournal.open(cluster.jdbcUrl(), props, "pg", Duration.ofSeconds(30), () -> {})) {
      // 300,000 keys of about 130 characters: some 40 MB, more than the sockets' buffers hold.
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select repeat(md5(i::text), 4) || i, i, i, 'pending',"
              + " 0, 1, 'POST', 'https://h/p' from generate_series(1, 300000) as i");
    }
    cluster.psql("alter role " + cluster.superuser() + " set statement_timeout = '1s'");
    try (PostgresJournal journal =
        PostgresJournal.open(cluster.jdbcUrl(), props, "pg", Duration.ofSeconds(30), () -> {})) {
      int[] read = {0};
      // A reader (a pipe to a slow consumer) that takes 0.2 s every 10,000 keys: 6 s in all.
      journal.keys(
          Selection.all(Selection.Order.NEWEST_FIRST),
          key -> {
            if (++read[0] % 10_000 == 0) {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
          });
      assertEquals(300_000, read[0]);
    } finally {
      cluster.psql("alter role " + cluster.superuser() + " reset statement_timeout");
    }
  }
}
