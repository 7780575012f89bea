package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.journal.Neighbours;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Review of 9a25fff: with 8,192 keys or more, neighboursSharing needs a second connection. A role
 * with no connection to spare (a CONNECTION LIMIT, max_connections shared by a fleet) could list
 * before; now the table's key widths, a cosmetic look-up, fail the whole list/expiring.
 */
class NeighboursSecondConnectionReviewTest {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = PostgresCluster.startOrSkip("nbsecond");
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.psql("alter role " + cluster.passwordUser() + " connection limit -1");
      cluster.close();
    }
  }

  @Test
  void manyKeysAreProbedOnTheOneConnectionTheRoleHas() throws Exception {
    cluster.psql("alter role " + cluster.passwordUser() + " connection limit -1");
    cluster.dropJournal();
    Properties props = new Properties();
    props.setProperty("user", cluster.passwordUser());
    props.setProperty("password", cluster.password());
    try (PostgresJournal journal =
        PostgresJournal.open(
            cluster.jdbcUrl(),
            props,
            cluster.url(cluster.passwordUser()),
            Duration.ofSeconds(30),
            () -> {})) {
      List<String> all = PostgresJournalContractTest.keysSharingInThrees(cluster, journal);
      List<String> asked = all.stream().sorted().toList();
      Map<String, Neighbours> rule = Neighbours.sharing(Neighbours.of(asked, all), 7);
      // The role has the one connection this journal holds, and no other.
      cluster.psql("alter role " + cluster.passwordUser() + " connection limit 1");
      // Whichever half takes the journal's idle connection, the other cannot have one: the race
      // between them goes either way, so it is run several times (CI saw the caller's half lose).
      for (int i = 0; i < 8; i++) {
        assertEquals(rule, journal.neighboursSharing(asked, 7, true), "probed, time " + i);
      }
    } finally {
      cluster.psql("alter role " + cluster.passwordUser() + " connection limit -1");
    }
  }
}
