package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.journal.Neighbours;
import dev.edlinkidem.journal.Selection;
import java.time.Duration;
import java.util.ArrayList;
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
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select case when i % 2 = 0"
              + " then left(md5((i / 6)::text), 6) || '-' || i"
              + " else md5(i::text) end, i, i, 'pending', 0, 1, 'POST', 'https://h/p'"
              + " from generate_series(1, 20000) as i");
      List<String> all = new ArrayList<>();
      journal.keys(Selection.all(Selection.Order.NEWEST_FIRST), all::add);
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
