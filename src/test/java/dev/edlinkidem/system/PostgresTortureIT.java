package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.torture.Campaign;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash campaign of {@code scripts/torture --journal postgres}, trimmed to fit the build, on a
 * throw-away cluster: a broken promise turns it red, and so does a run whose kills never landed
 * while a lease was held or while a transaction that writes was open.
 */
class PostgresTortureIT {
  private static final int REQUESTS = 150;
  private static final int KILLS = 18;

  @TempDir Path tmp;

  private PostgresCluster cluster;

  @AfterEach
  void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void killedWhileHoldingLeasesAndInTransactionsEveryLineIsCreatedOnceAndNothingIsLost()
      throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> "no PostgreSQL for the journal: " + why.get());
    Path jar = Path.of(System.getProperty("edlinkidem.jar", "target/edlink-idem.jar"));
    assertTrue(Files.isRegularFile(jar), "the packaged jar is missing: " + jar);
    cluster = PostgresCluster.start(tmp);
    long seed = Long.getLong("torture.seed", System.currentTimeMillis() % 100_000);
    Campaign.Report report =
        Campaign.run(
            new Campaign.Settings(
                REQUESTS,
                KILLS,
                0.2,
                0.1,
                seed,
                tmp.resolve("work"),
                jar,
                Path.of(System.getProperty("java.home"), "bin", "java"),
                new Campaign.Postgres(cluster.url(cluster.passwordUser()), cluster.password())));
    System.out.println("postgres torture seed " + seed + ":\n" + report);
    assertTrue(report.violations.isEmpty(), "seed " + seed + ": " + report);
    assertEquals(REQUESTS, report.finalStats.get("creates").getAsInt());
    assertTrue(report.snapshotsChecked >= KILLS);
    // Every third kill waits for a transaction that writes, under a lease: only a campaign whose
    // processes all ended before it could kill them would miss both, and then it says so.
    assertTrue(report.killsWith("lease held") > 0, "no kill while a lease was held: " + report);
    assertTrue(
        report.killsWith("transaction that writes open") > 0,
        "no kill while a transaction that writes was open: " + report);
  }
}
