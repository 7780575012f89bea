package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.request.Fingerprint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight processes of the packaged jar share one journal and one sandbox, and post, batch and replay
 * the same 200 keys at once: each key is created once, every loser exits 3 or reads the recorded
 * answer, and the journal they leave holds no damaged record.
 *
 * <p>Starting a JVM per key per process (1,600 starts) would take minutes on a small CI machine, so
 * four processes send all 200 keys as a {@code batch} (twice each, in their own order), two {@code
 * post} 30 keys each one process per key, and two loop {@code replay --all-pending}.
 */
class ConcurrencyIT {
  private static final String TOKEN = "sk-concurrency-test-token-77a1";
  private static final int KEYS = 200;
  private static final int CLASSES = 5;
  private static final int BATCH_WORKERS = 4;
  private static final int BATCH_RUNS = 2;
  private static final int POST_WORKERS = 2;
  private static final int POSTS_EACH = 30;
  private static final int REPLAY_WORKERS = 2;
  private static final int REPLAYS_EACH = 6;

  @TempDir Path tmp;

  private String baseUrl;
  private final List<Process> started = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroyForcibly);
  }

  private static String key(int i) {
    return String.format("conc-%03d", i);
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

  private static String jar() {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    return jar;
  }

  private ProcessBuilder tool(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                jar())); // as the launcher starts it
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("EDLINK") || k.equals("NO_COLOR"));
    pb.environment().put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    pb.environment().put("EDLINK_TOKEN", TOKEN);
    pb.environment().put("EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString());
    if (baseUrl != null) {
      pb.environment().put("EDLINK_BASE_URL", baseUrl);
    }
    return pb;
  }

  private void startSandbox(String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("sandbox", "--port", "0"));
    args.addAll(List.of(options));
    Process sandbox = tool(args.toArray(String[]::new)).redirectErrorStream(true).start();
    started.add(sandbox);
    baseUrl = SandboxProcess.baseUrl(sandbox, line -> {});
  }

  private record Ran(String what, int code, String out, String err) {}

  private Ran run(String... args) throws Exception {
    Path err =
        Files.createTempFile(tmp, "stderr", ".txt"); // read after the end: no second pipe to drain
    Process p = tool(args).redirectError(err.toFile()).start();
    started.add(p);
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(
        p.waitFor(120, TimeUnit.SECONDS), "the process did not end: " + String.join(" ", args));
    return new Ran(
        String.join(" ", args),
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        Files.readString(err));
  }

  private JsonObject stats() throws Exception {
    return SandboxProcess.stats(baseUrl);
  }

  /** Exit codes by kind of command ("post", "batch", "batch line", "replay"), counted. */
  private final Map<String, Map<Integer, AtomicInteger>> codes = new ConcurrentHashMap<>();

  /** Every command or line that ended otherwise than 0 or 3, with its stderr. */
  private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());

  private void count(String kind, int code, String detail) {
    codes
        .computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(code, c -> new AtomicInteger())
        .incrementAndGet();
    // 6 (no response after every retry) is what dropped answers can explain; the final replay must
    // finish it.
    if (code != 0 && code != 3 && code != 6) {
      unexpected.add(kind + " exit " + code + ": " + detail);
    }
  }

  private void batchWorker(int worker) throws Exception {
    List<Integer> order = shuffled(worker);
    StringBuilder plan = new StringBuilder();
    for (int i : order) {
      plan.append("{\"key\":\"")
          .append(key(i))
          .append("\",\"path\":\"")
          .append(path(i))
          .append("\",\"body\":")
          .append(body(i))
          .append("}\n");
    }
    Path file = tmp.resolve("plan-" + worker + ".jsonl");
    Files.writeString(file, plan);
    for (int run = 0; run < BATCH_RUNS; run++) {
      Ran r = run("batch", file.toString(), "--concurrency", "2", "--format", "jsonl");
      count("batch", r.code(), r.err());
      List<String> lines = r.out().lines().toList();
      if (lines.size() != KEYS) {
        unexpected.add("batch printed " + lines.size() + " lines: " + r.err());
      }
      for (String line : lines) {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        count("batch line", o.get("exit").getAsInt(), line);
      }
    }
  }

  private void postWorker(int worker) throws Exception {
    for (int i : shuffled(worker).subList(0, POSTS_EACH)) {
      Ran r = run("post", path(i), "-d", body(i), "-k", key(i));
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
      Ran r = run("replay", "--all-pending", "--yes");
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
  void eightProcessesOnOneJournalCreateEachKeyOnceAndLeaveNoDamagedRecord() throws Exception {
    long t0 = System.nanoTime();
    // Dropped answers make clients retry with the same key while others race for it.
    startSandbox("--latency", "20ms", "--drop-after-commit", "0.1", "--seed", "11");
    ExecutorService workers =
        Executors.newFixedThreadPool(BATCH_WORKERS + POST_WORKERS + REPLAY_WORKERS);
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < BATCH_WORKERS; w++) {
      int worker = w;
      running.add(
          workers.submit(
              () -> {
                batchWorker(worker);
                return null;
              }));
    }
    for (int w = 0; w < POST_WORKERS; w++) {
      int worker = BATCH_WORKERS + w;
      running.add(
          workers.submit(
              () -> {
                postWorker(worker);
                return null;
              }));
    }
    for (int w = 0; w < REPLAY_WORKERS; w++) {
      running.add(
          workers.submit(
              () -> {
                replayWorker();
                return null;
              }));
    }
    for (Future<?> f : running) {
      f.get(150, TimeUnit.SECONDS);
    }
    workers.shutdown();

    // Whatever the drops left pending (exit 6) is finished by one replay after the race.
    Ran last = run("replay", "--all-pending", "--yes");
    assertEquals(0, last.code(), last.err());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

    Map<String, Map<Integer, Integer>> distribution = new TreeMap<>();
    codes.forEach(
        (kind, byCode) -> {
          Map<Integer, Integer> m = new TreeMap<>();
          byCode.forEach((code, n) -> m.put(code, n.get()));
          distribution.put(kind, m);
        });
    String figures = "exit codes " + distribution + " in " + seconds + " s";
    System.out.println("ConcurrencyIT: " + figures);
    assertEquals(List.of(), unexpected, figures);
    Map<Integer, Integer> posts = distribution.get("post");
    assertEquals(
        POST_WORKERS * POSTS_EACH,
        posts.values().stream().mapToInt(Integer::intValue).sum(),
        figures);
    assertEquals(
        BATCH_WORKERS * BATCH_RUNS * KEYS,
        distribution.get("batch line").values().stream().mapToInt(Integer::intValue).sum(),
        figures);

    JsonObject stats = stats();
    assertEquals(KEYS, stats.get("creates").getAsInt(), "exactly one creation per key: " + stats);
    JsonObject records = stats.getAsJsonObject("records");
    for (int c = 0; c < CLASSES; c++) {
      String collection =
          "/api/v2/graph/classes/00000000-0000-4000-8000-"
              + String.format("%012d", c)
              + "/assignments";
      assertEquals(KEYS / CLASSES, records.get(collection).getAsInt(), collection + " in " + stats);
    }

    try (FileJournal journal = FileJournal.open(tmp.resolve("journal"))) {
      List<Entry> entries = journal.entries();
      assertEquals(List.of(), journal.problems(), "no damaged record");
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
      assertEquals(List.of(), journal.problems(), "no damaged record");
    }
  }
}
