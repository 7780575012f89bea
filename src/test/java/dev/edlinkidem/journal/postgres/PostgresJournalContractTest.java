package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalContractTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The journal contract on {@link PostgresJournal}, in a throw-away cluster (one for the class), its
 * tables dropped as each test opens its journal, which makes them again. Another handle is another
 * PostgresJournal with connections of its own, as another process would have.
 */
class PostgresJournalContractTest extends JournalContractTest {
  private static PostgresCluster cluster;
  private static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    dir = Files.createTempDirectory("edlink-idem-pg-contract");
    cluster = PostgresCluster.start(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static PostgresJournal handle(Runnable partWay) throws Exception {
    Properties props = new Properties();
    props.setProperty("user", cluster.superuser());
    return PostgresJournal.open(
        cluster.jdbcUrl(),
        props,
        cluster.url(cluster.superuser()),
        Duration.ofSeconds(30),
        partWay);
  }

  @Override
  protected Journal open() throws Exception {
    cluster.dropJournal(); // a new journal: the handle opened next makes the tables again
    return handle(() -> {});
  }

  @Override
  protected Journal openAgain() throws Exception {
    return handle(() -> {});
  }

  /** Stopped inside the transaction, after the first key's change: the transaction rolls back. */
  @Override
  protected Journal openStoppingPartWay() throws Exception {
    return handle(
        () -> {
          throw new IllegalStateException("stopped part-way, as a crash would stop it");
        });
  }
}
