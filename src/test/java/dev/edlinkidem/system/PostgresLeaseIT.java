package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL journal's lease held by a process that is paused (SIGSTOP) past it: another process
 * takes the key and settles it, and the paused one, resumed, records nothing over that outcome.
 * With the packaged jar, a sandbox that answers after 4 s, and leases of 2 s.
 */
class PostgresLeaseIT {
  private static final String TOKEN = "sk-test-lease-never-on-disk";
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\","
          + "\"grading_type\":\"points\"}";

  @TempDir Path tmp;

  private ToolProcess tool;
  private PostgresCluster cluster;

  @AfterEach
  void stop() throws Exception {
    if (tool != null) {
      tool.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void signal(Process p, String signal) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal);
  }

  /** How many records the key has; "none yet" before the first command makes the tables. */
  private String records(String key) throws Exception {
    try {
      return cluster
          .psql("select count(*) from edlink_idem_records where key = '" + key + "'")
          .strip();
    } catch (IllegalStateException noTablesYet) {
      return "none yet";
    }
  }

  @Test
  void aHolderPausedPastItsLeaseRecordsNothingOverTheNextOnes() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(tmp);
    tool = new ToolProcess(tmp);
    Process sandbox =
        tool.start(
            tool.builder(Map.of(), "sandbox", "--port", "0", "--latency", "4s")
                .redirectErrorStream(true));
    String base = SandboxProcess.baseUrl(sandbox, line -> {});
    Map<String, String> env = new HashMap<>();
    env.put("EDLINK_BASE_URL", base);
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("EDLINK_IDEM_JOURNAL", cluster.url(cluster.passwordUser()));
    env.put("PGPASSWORD", cluster.password());
    env.put("EDLINK_IDEM_LEASE", "2s");

    // A journals the request and sends it; the sandbox takes 4 s to answer.
    Process a =
        tool.start(env, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "paused-1", "--retries", "0");
    long waited = 0;
    while (!"1".equals(records("paused-1")) && waited < 20_000) {
      Thread.sleep(50);
      waited += 50;
    }
    assertEquals("1", records("paused-1"), "A journaled its request");
    Thread.sleep(500); // its request is on its way
    signal(a, "STOP");
    try {
      // Past A's lease, and past the sandbox's answer to A, which A has not read.
      Thread.sleep(5_000);
      ToolProcess.Ran b = tool.run(env, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "paused-1");
      assertEquals(0, b.code(), "B took the key and settled it: " + b);
    } finally {
      signal(a, "CONT");
    }
    assertTrue(a.waitFor(60, TimeUnit.SECONDS), "A ended once resumed");
    String aErr = new String(a.getErrorStream().readAllBytes());
    assertTrue(a.exitValue() != 0, "A could not record its answer: " + aErr);
    assertTrue(aErr.contains("passed to another process"), aErr);

    ToolProcess.Ran shown = tool.run(env, "show", "paused-1", "--format", "json");
    JsonObject entry = JsonParser.parseString(shown.out()).getAsJsonObject();
    assertEquals("succeeded", entry.get("state").getAsString(), shown.out());
    assertEquals(1, entry.get("attempts").getAsInt(), "B's attempt only: " + shown.out());
    JsonObject stats = SandboxProcess.stats(base);
    assertEquals(1, stats.get("creates").getAsInt(), "one creation for the key");
  }
}
