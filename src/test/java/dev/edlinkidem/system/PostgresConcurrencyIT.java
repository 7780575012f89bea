package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.journal.postgres.PostgresTarget;
import dev.edlinkidem.request.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight processes of the packaged jar share one PostgreSQL journal (a throw-away cluster) and one
 * sandbox that drops answers after doing the work, and post, batch and replay the same 200 keys at
 * once: each key is created once, every loser exits 3 ("being sent by another process") or reads
 * the recorded answer, and the journal they leave holds every key settled, no unreadable record and
 * no lease.
 *
 * <p>The mix is {@link ConcurrencyIT}'s: four processes send all 200 keys as a {@code batch} (twice
 * each, in their own order), two {@code post} 30 keys each one process per key, and two loop {@code
 * replay --all-pending}. The tables do not exist when they start: the first ones migrate at once.
 */
class PostgresConcurrencyIT {
  private static final String TOKEN = "sk-pg-concurrency-test-token-3c9e";
  private static final int KEYS = 200;
  private static final int CLASSES = 5;
  private static final int BATCH_WORKERS = 4;
  private static final int BATCH_RUNS = 2;
  private static final int POST_WORKERS = 2;
  private static final int POSTS_EACH = 30;
  private static final int REPLAY_WORKERS = 2;
  private static final int REPLAYS_EACH = 6;

  /** As the launcher starts the jar: 8 JVMs at once on a small CI machine start faster so. */
  private static final List<String> JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  /** What a stack trace prints, which no command may. */
  private static final String STACK_FRAME = "\tat ";

  @TempDir Path tmp;

  private PostgresCluster cluster;
  private ToolProcess tool;
  private String baseUrl;

  @BeforeEach
  void startClusterAndSandbox() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> "no PostgreSQL for the journal: " + why.get());
    cluster = PostgresCluster.start(tmp);
    tool = new ToolProcess(tmp);
    // Dropped answers make clients retry with the same key while others race for it.
    Process sandbox =
        tool.start(
            tool.builder(
                    Map.of(),
                    "sandbox",
                    "--port",
                    "0",
                    "--latency",
                    "20ms",
                    "--drop-after-commit",
                    "0.1",
                    "--seed",
                    "11")
                .redirectErrorStream(true));
    baseUrl = SandboxProcess.baseUrl(sandbox, line -> {});
  }

  @AfterEach
  void stopAll() {
    if (tool != null) {
      tool.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The tool's environment: the sandbox, a token, and the PostgreSQL journal with its password. */
  private Map<String, String> env() {
    return Map.of(
        "EDLINK_BASE_URL",
        baseUrl,
        "EDLINK_TOKEN",
        TOKEN,
        "EDLINK_IDEM_JOURNAL",
        cluster.url(cluster.passwordUser()),
        "PGPASSWORD",
        cluster.password());
  }

  private ToolProcess.Ran run(String... args) throws Exception {
    ToolProcess.Ran r = tool.run(env(), JVM, null, args);
    if (r.err().contains(STACK_FRAME)) {
      unexpected.add("a stack trace from " + String.join(" ", args) + ": " + r.err());
    }
    return r;
  }

  private static String key(int i) {
    return String.format("pgconc-%03d", i);
  }

  private static String path(int i) {
    return "/api/v2/graph/classes/00000000-0000-4000-8000-"
        + String.format("%012d", i % CLASSES)
        + "/assignments";
  }

  /**
   * Canonical already (members sorted, no spaces), so that batch sends the very bytes post sends.
   */
  private static String body(int i) {
    return "{\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\",\"title\":\"Essay"
               + " "
        + i
        + "\"}";
  }

  /** Exit codes by kind of command ("post", "batch", "batch line", "replay"), counted. */
  private final Map<String, Map<Integer, AtomicInteger>> codes = new ConcurrentHashMap<>();

  /** Every command or line that ended otherwise than it may, with its stderr. */
  private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

  private void count(String kind, int code, String detail) {
    codes
        .computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(code, c -> new AtomicInteger())
        .incrementAndGet();
    // 6 (no response after every retry) is what dropped answers can explain; the final replay must
    // finish it. 1 would be the journal failing, 5 an error the sandbox was not told to make.
    if (code != 0 && code != 3 && code != 6) {
      unexpected.add(kind + " exit " + code + ": " + detail);
    }
  }

  private Path plan(int worker) throws Exception {
    StringBuilder plan = new StringBuilder();
    for (int i : shuffled(worker)) {
      plan.append("{\"key\":\"")
          .append(key(i))
          .append("\",\"path\":\"")
          .append(path(i))
          .append("\",\"body\":")
          .append(body(i))
          .append("}\n");
    }
    return Files.writeString(tmp.resolve("plan-" + worker + ".jsonl"), plan);
  }

  private void batchWorker(int worker) throws Exception {
    Path file = plan(worker);
    for (int run = 0; run < BATCH_RUNS; run++) {
      ToolProcess.Ran r = run("batch", file.toString(), "--concurrency", "2", "--format", "jsonl");
      count("batch", r.code(), r.err());
      List<String> lines = r.out().lines().toList();
      if (lines.size() != KEYS) {
        unexpected.add("batch printed " + lines.size() + " lines: " + r.err());
      }
      for (String line : lines) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        int exit = o.get("exit").getAsInt();
        count("batch line", exit, line);
        if (exit == 3 && !line.contains("being sent by another process")) {
          unexpected.add("batch line refused for another reason: " + line);
        }
      }
    }
  }

  private void postWorker(int worker) throws Exception {
    for (int i : shuffled(worker).subList(0, POSTS_EACH)) {
      ToolProcess.Ran r = run("post", path(i), "-d", body(i), "-k", key(i));
      count("post", r.code(), r.err());
      if (r.code() == 0 && !r.out().contains("\"title\":\"Essay " + i + "\"")) {
        unexpected.add("post " + key(i) + " printed another answer: " + r.out());
      }
      if (r.code() == 3 && !r.err().contains("being sent by another process")) {
        unexpected.add("post " + key(i) + " refused for another reason: " + r.err());
      }
    }
  }

  private void replayWorker() throws Exception {
    for (int n = 0; n < REPLAYS_EACH; n++) {
      ToolProcess.Ran r = run("replay", "--all-pending", "--yes");
      count("replay", r.code(), r.err());
    }
  }

  private static List<Integer> shuffled(int seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i <= KEYS; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(1000 + seed));
    return order;
  }

  @Test
  void eightProcessesOnOnePostgresJournalCreateEachKeyOnceAndLeaveEveryKeySettled()
      throws Exception {
    long t0 = System.nanoTime();
    List<Callable<Void>> work = new ArrayList<>();
    for (int w = 0; w < BATCH_WORKERS; w++) {
      int worker = w;
      work.add(
          () -> {
            batchWorker(worker);
            return null;
          });
    }
    for (int w = 0; w < POST_WORKERS; w++) {
      int worker = BATCH_WORKERS + w;
      work.add(
          () -> {
            postWorker(worker);
            return null;
          });
    }
    for (int w = 0; w < REPLAY_WORKERS; w++) {
      work.add(
          () -> {
            replayWorker();
            return null;
          });
    }
    ExecutorService workers = Executors.newFixedThreadPool(work.size());
    try {
      List<Future<Void>> running = new ArrayList<>();
      work.forEach(w -> running.add(workers.submit(w)));
      for (Future<Void> f : running) {
        f.get(300, TimeUnit.SECONDS);
      }
    } finally {
      workers.shutdownNow();
    }
    long raced = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

    // Whatever the drops left pending (exit 6) is finished by one replay after the race; then the
    // batch run once more finds every line answered and sends nothing.
    ToolProcess.Ran last = run("replay", "--all-pending", "--yes");
    assertEquals(0, last.code(), last.toString());
    int requests = SandboxProcess.stats(baseUrl).get("requests").getAsInt();
    ToolProcess.Ran rerun = run("batch", plan(0).toString(), "--format", "jsonl");
    assertEquals(0, rerun.code(), rerun.toString());
    assertEquals(KEYS, rerun.out().lines().count(), rerun.toString());
    assertTrue(
        rerun.out().lines().allMatch(l -> l.contains("\"from_journal\":true")), rerun.toString());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

    Map<String, Map<Integer, Integer>> distribution = new TreeMap<>();
    codes.forEach(
        (kind, byCode) -> {
          Map<Integer, Integer> m = new TreeMap<>();
          byCode.forEach((code, n) -> m.put(code, n.get()));
          distribution.put(kind, m);
        });
    JsonObject stats = SandboxProcess.stats(baseUrl);
    String figures =
        "exit codes "
            + distribution
            + ", sandbox "
            + stats
            + ", race "
            + raced
            + " s, in all "
            + seconds
            + " s";
    System.out.println("PostgresConcurrencyIT: " + figures);
    assertEquals(List.of(), unexpected, figures);
    assertEquals(requests, stats.get("requests").getAsInt(), "the re-run sent nothing: " + figures);
    assertEquals(
        POST_WORKERS * POSTS_EACH,
        distribution.get("post").values().stream().mapToInt(Integer::intValue).sum(),
        figures);
    assertEquals(
        BATCH_WORKERS * BATCH_RUNS * KEYS,
        distribution.get("batch line").values().stream().mapToInt(Integer::intValue).sum(),
        figures);

    assertEquals(KEYS, stats.get("creates").getAsInt(), "exactly one creation per key: " + figures);
    JsonObject records = stats.getAsJsonObject("records");
    for (int c = 0; c < CLASSES; c++) {
      String collection =
          "/api/v2/graph/classes/00000000-0000-4000-8000-"
              + String.format("%012d", c)
              + "/assignments";
      assertEquals(KEYS / CLASSES, records.get(collection).getAsInt(), collection + " in " + stats);
    }

    ToolProcess.Ran pending = run("list", "--state", "pending", "--format", "keys");
    assertEquals(0, pending.code(), pending.toString());
    assertEquals("", pending.out(), "no key left pending");
    assertEquals(
        "0",
        cluster.psql("select count(*) from edlink_idem_leases").strip(),
        "every process gave its leases back");
    try (PostgresJournal journal =
        PostgresJournal.open(
            PostgresTarget.parse(cluster.url(cluster.passwordUser()), "the test"),
            cluster.passwordUser(),
            cluster.password())) {
      List<Entry> entries = journal.entries();
      assertEquals(List.of(), journal.problems(), "no unreadable record");
      assertEquals(KEYS, entries.size());
      for (int i = 1; i <= KEYS; i++) {
        Entry e = journal.find(key(i)).orElseThrow();
        assertEquals(EntryState.SUCCEEDED, e.state(), key(i));
        String url = baseUrl + path(i);
        assertEquals(url, e.request().url(), key(i));
        assertEquals(
            Fingerprint.of("POST", url, body(i).getBytes(StandardCharsets.UTF_8)),
            e.fingerprint(),
            key(i));
        assertTrue(
            new String(e.outcome().response().body(), StandardCharsets.UTF_8)
                .contains("\"title\":\"Essay " + i + "\""),
            key(i));
      }
    }
  }
}
