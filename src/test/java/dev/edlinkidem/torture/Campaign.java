package dev.edlinkidem.torture;

import com.google.gson.JsonObject;
import dev.edlinkidem.batch.BatchFile;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.system.SandboxProcess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The crash campaign: a batch of requests against a sandbox that drops answers after doing the work
 * and fails with 503s, killed with SIGKILL at random moments (during {@code batch}, {@code replay
 * --all-pending} and {@code prune}), each kill followed by a restart of the same work. Between
 * kills it checks that the journal opens without a problem and that every record written before a
 * kill is still there; at the end, that every line was created exactly once and nothing is pending.
 * Run by {@code scripts/torture}, and trimmed by {@code TortureIT}.
 */
public final class Campaign {
  /** What to run: sizes, faults, and the seed that makes a run repeatable. */
  public record Settings(
      int requests,
      int kills,
      double dropAfterCommit,
      double errorRate,
      long seed,
      Path work,
      Path jar,
      Path java) {}

  /** What a run saw; {@link #violations} empty means every promise held. */
  public static final class Report {
    public final Map<String, Integer> killsByCommand = new TreeMap<>();
    public final Map<String, Integer> exitsByCode = new TreeMap<>();
    public final List<String> violations = new ArrayList<>();
    public int snapshotsChecked;
    public long recordsChecked;
    public int finishingRuns;
    public JsonObject finalStats;
    public long elapsedMillis;

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "kills by command: %s%nexits of commands that ended by themselves: %s%njournal snapshots"
              + " checked after kills: %d (%d records compared)%nruns to finish after the last"
              + " kill: %d%nsandbox at the end: %s%ntime: %.1f s%nviolations: %s",
          killsByCommand,
          exitsByCode,
          snapshotsChecked,
          recordsChecked,
          finishingRuns,
          brief(finalStats),
          elapsedMillis / 1000.0,
          violations.isEmpty() ? "none" : violations);
    }

    private static String brief(JsonObject stats) {
      if (stats == null) {
        return "not read";
      }
      StringBuilder b = new StringBuilder();
      for (String name :
          List.of("requests", "creates", "replays", "drops", "errors", "idempotency_keys")) {
        if (stats.has(name)) {
          b.append(b.length() == 0 ? "" : ", ")
              .append(name)
              .append(' ')
              .append(stats.get(name).getAsInt());
        }
      }
      return b.toString();
    }
  }

  private static final String TOKEN = "sk-torture-0b7d";
  private final Settings settings;
  private final Random random;
  private final Report report = new Report();
  private final Path journal;
  private final Path plan;
  private final List<Process> started = new ArrayList<>();
  private String baseUrl;
  private final JournalCheck check;

  private Campaign(Settings settings) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.journal = settings.work().resolve("journal");
    this.plan = settings.work().resolve("plan.jsonl");
    this.check = new FileJournalCheck(journal);
  }

  /** Runs a campaign and says what it saw. */
  public static Report run(Settings settings) throws Exception {
    Campaign c = new Campaign(settings);
    long t0 = System.nanoTime();
    try {
      c.campaign();
    } finally {
      c.started.forEach(Process::destroyForcibly);
      c.report.elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
    }
    return c.report;
  }

  private void campaign() throws Exception {
    Files.createDirectories(settings.work());
    startSandbox();
    writePlan();
    for (int kill = 0; kill < settings.kills(); kill++) {
      String[] command = pickCommand();
      Process p = start(command);
      // Most kills land while requests are in flight; some before the first, some at the end.
      Thread.sleep(20 + random.nextInt(command[0].equals("batch") ? 1500 : 400));
      if (p.isAlive()) {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        p.waitFor(30, TimeUnit.SECONDS);
        report.killsByCommand.merge(command[0], 1, Integer::sum);
      } else {
        report.exitsByCode.merge(command[0] + " " + p.exitValue(), 1, Integer::sum);
      }
      checkJournal();
    }
    finish();
    checkEnd();
  }

  /**
   * batch most of the time; replay and prune (a month on, so that it removes finished entries) now
   * and then.
   */
  private String[] pickCommand() {
    int dice = random.nextInt(100);
    if (dice < 70) {
      return new String[] {"batch", plan.toString(), "--concurrency", "8", "--retries", "2", "-q"};
    }
    if (dice < 85) {
      return new String[] {"replay", "--all-pending", "--yes", "--retries", "2", "-q"};
    }
    return new String[] {"prune"};
  }

  private void startSandbox() throws IOException {
    Process sandbox =
        new ProcessBuilder(
                settings.java().toString(),
                "-jar",
                settings.jar().toString(),
                "sandbox",
                "--port",
                "0",
                "--latency",
                "5ms",
                "--drop-after-commit",
                Double.toString(settings.dropAfterCommit()),
                "--error-rate",
                Double.toString(settings.errorRate()),
                "--seed",
                Long.toString(settings.seed()))
            .redirectErrorStream(true)
            .start();
    started.add(sandbox);
    baseUrl = SandboxProcess.baseUrl(sandbox, line -> {});
  }

  private void writePlan() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= settings.requests(); i++) {
      b.append("{\"path\":\"/api/v2/graph/classes/00000000-0000-4000-8000-")
          .append(String.format("%012d", i % 25))
          .append("/assignments\",\"body\":")
          .append("{\"title\":\"Torture ")
          .append(i)
          .append("\",\"description\":\"d\",")
          .append("\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}}\n");
    }
    Files.writeString(plan, b.toString());
  }

  private Process start(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                settings.java().toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-jar",
                settings.jar().toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().keySet().removeIf(k -> k.startsWith("EDLINK") || k.startsWith("XDG_"));
    pb.environment().put("XDG_CONFIG_HOME", settings.work().resolve("config").toString());
    pb.environment().put("XDG_STATE_HOME", settings.work().resolve("state").toString());
    pb.environment().put("EDLINK_TOKEN", TOKEN);
    pb.environment().put("EDLINK_BASE_URL", baseUrl);
    pb.environment().put("EDLINK_IDEM_JOURNAL", journal.toString());
    if (args[0].equals("prune")) {
      pb.environment().put("EDLINK_IDEM_NOW", Instant.now().plus(Duration.ofDays(31)).toString());
    }
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** After a kill: see {@link JournalCheck}. */
  private void checkJournal() throws Exception {
    report.violations.addAll(check.check());
    report.snapshotsChecked = check.checked();
    report.recordsChecked = check.recordsChecked();
  }

  /**
   * Runs the work until it is done: the batch until it exits 0, then replay until nothing is
   * pending.
   */
  private void finish() throws Exception {
    // The campaign's prunes ran a month on, while the sandbox's clock is today's: it still knows
    // the pruned keys. Their tombstones refuse them (rightly: the tool cannot tell which clock is
    // wrong), so they are forgotten first, as a user who means to send them again would.
    Process forget = start("prune", "--tombstones");
    if (!forget.waitFor(10, TimeUnit.MINUTES) || forget.exitValue() != 0) {
      report.violations.add("prune --tombstones did not end with exit 0 before the finishing runs");
      return;
    }
    for (int run = 0; run < 12; run++) {
      report.finishingRuns++;
      Process p = start("batch", plan.toString(), "--concurrency", "8", "-q");
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        report.violations.add("a finishing batch did not end in 10 minutes");
        return;
      }
      report.exitsByCode.merge("finishing batch " + p.exitValue(), 1, Integer::sum);
      if (p.exitValue() == 0) {
        return;
      }
    }
    report.violations.add("the batch did not finish with exit 0 in 12 runs after the last kill");
  }

  private void checkEnd() throws Exception {
    checkJournal();
    JsonObject stats = stats();
    report.finalStats = stats;
    int creates = stats.get("creates").getAsInt();
    JsonObject records = stats.getAsJsonObject("records");
    int recordsTotal = records.keySet().stream().mapToInt(k -> records.get(k).getAsInt()).sum();
    if (creates != settings.requests() || recordsTotal != settings.requests()) {
      report.violations.add(
          "the sandbox created "
              + creates
              + " ("
              + recordsTotal
              + " records) for "
              + settings.requests()
              + " lines: each line must be created exactly once");
    }
    Map<String, Entry> byKey = new LinkedHashMap<>();
    try (FileJournal j = FileJournal.open(journal)) {
      j.entries().forEach(e -> byKey.put(e.key(), e));
    }
    int pending = 0;
    int missing = 0;
    try (BatchFile lines = new BatchFile(new ByteArrayInputStream(Files.readAllBytes(plan)))) {
      BatchFile.Line l;
      while ((l = lines.next()) != null) {
        BatchFile.Request r = (BatchFile.Request) l;
        String key = BatchFile.Request.derivedKey(baseUrl + r.path(), r.body());
        Entry e = byKey.get(key);
        if (e == null) {
          missing++;
        } else if (e.state() != EntryState.SUCCEEDED) {
          pending++;
        }
      }
    }
    if (pending > 0 || missing > 0) {
      report.violations.add(
          pending + " lines not succeeded and " + missing + " without an entry at the end");
    }
  }

  private JsonObject stats() throws Exception {
    return SandboxProcess.stats(baseUrl);
  }

  /** {@code scripts/torture}: runs a campaign, prints what it saw, exits 1 when a promise broke. */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    Path work =
        Path.of(
            options.getOrDefault(
                "--work", Files.createTempDirectory("edlink-idem-torture").toString()));
    Settings settings =
        new Settings(
            Integer.parseInt(options.getOrDefault("--requests", "1000")),
            Integer.parseInt(options.getOrDefault("--kills", "100")),
            Double.parseDouble(options.getOrDefault("--drop-after-commit", "0.2")),
            Double.parseDouble(options.getOrDefault("--error-rate", "0.1")),
            Long.parseLong(
                options.getOrDefault("--seed", Long.toString(System.nanoTime() % 100_000))),
            work,
            Path.of(options.getOrDefault("--jar", "target/edlink-idem.jar")),
            Path.of(System.getProperty("java.home"), "bin", "java"));
    System.out.printf(
        Locale.ROOT,
        "torture: %d requests, %d kills, %.0f%% drops after commit, %.0f%% 503s, seed %d, work"
            + " %s%n",
        settings.requests(),
        settings.kills(),
        settings.dropAfterCommit() * 100,
        settings.errorRate() * 100,
        settings.seed(),
        work);
    Report report = run(settings);
    System.out.println(report);
    System.exit(report.violations.isEmpty() ? 0 : 1);
  }
}
