package dev.edlinkidem.torture;

import com.google.gson.JsonObject;
import dev.edlinkidem.batch.BatchFile;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.journal.postgres.PostgresSettingException;
import dev.edlinkidem.journal.postgres.PostgresTarget;
import dev.edlinkidem.system.SandboxProcess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The crash campaign: a batch of requests against a sandbox that drops answers after doing the work
 * and fails with 503s, killed with SIGKILL at random moments (during {@code batch}, {@code replay
 * --all-pending} and {@code prune}), each kill followed by a restart of the same work. Between
 * kills it checks that the journal opens without a problem and that every record written before a
 * kill is still there; at the end, that every line was created exactly once and nothing is pending.
 * Run by {@code scripts/torture}, and trimmed by {@code TortureIT}.
 *
 * <p>On a PostgreSQL journal ({@link Postgres}) it also reads, just before each kill, whether the
 * process held a lease and had a transaction open ({@link PostgresWatch}), and aims every third
 * kill at a moment when it has both. Run by {@code scripts/torture --journal postgres}, and trimmed
 * by {@code PostgresTortureIT}.
 */
public final class Campaign {
  /**
   * What to run: sizes, faults, the seed that makes a run repeatable, and the journal: a directory
   * in {@code work}, or the PostgreSQL one of {@code postgres} when it is not null.
   */
  public record Settings(
      int requests,
      int kills,
      double dropAfterCommit,
      double errorRate,
      long seed,
      Path work,
      Path jar,
      Path java,
      Postgres postgres) {
    /** A campaign on a directory journal in {@code work}. */
    public Settings(
        int requests,
        int kills,
        double dropAfterCommit,
        double errorRate,
        long seed,
        Path work,
        Path jar,
        Path java) {
      this(requests, kills, dropAfterCommit, errorRate, seed, work, jar, java, null);
    }
  }

  /**
   * A PostgreSQL journal with nothing in it, as {@code --journal} names it, and its role's password
   * (null: the one the tool would find, in PGPASSWORD or ~/.pgpass).
   */
  public record Postgres(String url, String password) {}

  /** What a run saw; {@link #violations} empty means every promise held. */
  public static final class Report {
    public final Map<String, Integer> killsByCommand = new TreeMap<>();
    public final Map<String, Integer> exitsByCode = new TreeMap<>();
    public final List<String> violations = new ArrayList<>();

    /**
     * PostgreSQL only: kills by what the database showed of the process just before ("lease held",
     * "transaction open", "transaction that writes open", "neither"), then by command.
     */
    public final Map<String, Map<String, Integer>> killsByMoment = new LinkedHashMap<>();

    /** PostgreSQL only: kills that first waited for their moment (see {@code Campaign.aim}). */
    public int aimedKills;

    /**
     * PostgreSQL only: kills after which lease rows were still in force once the killed process's
     * sessions had ended: keys that restarts find in flight (exit 3) until the rows run out.
     */
    public int killsLeavingLeases;

    public int snapshotsChecked;
    public long recordsChecked;
    public int finishingRuns;
    public JsonObject finalStats;
    public long elapsedMillis;

    /** Kills of one class of {@link #killsByMoment}, whatever the command. */
    public int killsWith(String moment) {
      return killsByMoment.getOrDefault(moment, Map.of()).values().stream()
          .mapToInt(Integer::intValue)
          .sum();
    }

    @Override
    public String toString() {
      String database =
          killsByMoment.isEmpty()
              ? ""
              : String.format(
                  Locale.ROOT,
                  "kills by what the database showed just before: %s; %d of the kills aimed (at a"
                      + " lease held and a transaction that writes; at a prune's"
                      + " transaction)%nkills after which lease rows stayed in force once the"
                      + " process's sessions had ended: %d%n",
                  byMoment(),
                  aimedKills,
                  killsLeavingLeases);
      return String.format(
          Locale.ROOT,
          "kills by command: %s%n%sexits of commands that ended by themselves: %s%njournal"
              + " snapshots checked after kills: %d (%d records compared)%nruns to finish after"
              + " the last kill: %d%nsandbox at the end: %s%ntime: %.1f s%nviolations: %s",
          killsByCommand,
          database,
          exitsByCode,
          snapshotsChecked,
          recordsChecked,
          finishingRuns,
          brief(finalStats),
          elapsedMillis / 1000.0,
          violations.isEmpty() ? "none" : violations);
    }

    /** "lease held 63 {batch=50, prune=8, replay=5}, ...". */
    private String byMoment() {
      List<String> classes = new ArrayList<>();
      killsByMoment.forEach(
          (moment, byCommand) -> classes.add(moment + " " + killsWith(moment) + " " + byCommand));
      return String.join(", ", classes);
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

  /**
   * The lease of a PostgreSQL journal's processes: a killed holder's lease stays until it runs out,
   * and its keys are in flight (exit 3) to the restarts until then; short, so that they are not
   * kept waiting long. The campaign runs one process at a time, so no one takes a key over from a
   * living holder that renews late.
   */
  private static final String LEASE = "3s";

  /**
   * Every third kill first waits for its moment ({@link #aim}): a random moment is often before the
   * process has connected, or between its writes.
   */
  private static final int AIM_EVERY = 3;

  /** How long an aimed kill looks for its moment before it kills anyway. */
  private static final Duration AIM_AT_MOST = Duration.ofSeconds(10);

  /** How long a killed process's sessions may take to end, or its leases to run out. */
  private static final Duration SETTLE_AT_MOST = Duration.ofMinutes(2);

  private final Settings settings;
  private final Random random;
  private final Report report = new Report();
  private final Path journal;
  private final Path plan;
  private final List<Process> started = new ArrayList<>();
  private String baseUrl;
  private final PostgresWatch watch;
  private final JournalCheck check;

  private Campaign(Settings settings, PostgresWatch watch) {
    this.settings = settings;
    this.random = new Random(settings.seed());
    this.journal = settings.work().resolve("journal");
    this.plan = settings.work().resolve("plan.jsonl");
    this.watch = watch;
    this.check = watch == null ? new FileJournalCheck(journal) : new PostgresJournalCheck(watch);
  }

  /**
   * Runs a campaign and says what it saw.
   *
   * @throws IllegalArgumentException when the PostgreSQL journal has anything in it already
   */
  public static Report run(Settings settings) throws Exception {
    PostgresWatch watch =
        settings.postgres() == null
            ? null
            : PostgresWatch.connect(settings.postgres().url(), settings.postgres().password());
    try {
      if (watch != null) {
        String why = watch.whyNotEmpty();
        if (why != null) {
          throw new IllegalArgumentException(why);
        }
      }
      Campaign c = new Campaign(settings, watch);
      long t0 = System.nanoTime();
      try {
        c.campaign();
      } finally {
        c.started.forEach(Process::destroyForcibly);
        c.report.elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
      }
      return c.report;
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  private void campaign() throws Exception {
    Files.createDirectories(settings.work());
    startSandbox();
    writePlan();
    for (int kill = 0; kill < settings.kills(); kill++) {
      String[] command = pickCommand();
      boolean aimed = watch != null && kill % AIM_EVERY == AIM_EVERY - 1;
      if (watch != null) {
        settleDatabase();
        watch.processStarting();
      }
      Process p = start(command);
      // Most kills land while requests are in flight; some before the first, some at the end.
      Thread.sleep(20 + random.nextInt(killWithinMillis(command[0], aimed)));
      PostgresWatch.Moment moment = null;
      if (watch != null && p.isAlive()) {
        moment = aimed ? watch.await(p, aim(command[0]), AIM_AT_MOST) : watch.moment(p);
      }
      if (p.isAlive()) {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no flush
        p.waitFor(30, TimeUnit.SECONDS);
        report.killsByCommand.merge(command[0], 1, Integer::sum);
        if (moment != null) {
          count(command[0], moment, aimed);
        }
      } else {
        report.exitsByCode.merge(command[0] + " " + p.exitValue(), 1, Integer::sum);
      }
      if (watch != null) {
        settleDatabase();
        if (watch.leasesInForce() > 0 && moment != null && moment.leaseHeld()) {
          report.killsLeavingLeases++;
        }
      }
      checkJournal();
    }
    finish();
    checkEnd();
  }

  /**
   * The moment an aimed kill waits for: a lease held and a transaction that writes open at once (a
   * process's first write is the lease of its first key, not yet committed, where a kill aimed at
   * any write would land most of the time); for a prune, its one transaction, which removes the
   * entries and writes their tombstones.
   */
  private static Predicate<PostgresWatch.Moment> aim(String command) {
    return command.equals("prune")
        ? m -> m.leaseHeld() && m.longTransactionOpen()
        : m -> m.leaseHeld() && m.writeOpen();
  }

  /**
   * How long after its start a command is killed at the latest, or, when the kill is {@code aimed},
   * starts looking for its moment.
   */
  private int killWithinMillis(String command, boolean aimed) throws SQLException {
    if (command.equals("batch")) {
      return 1500;
    }
    if (aimed && command.equals("prune")) {
      return 1; // its transaction comes once, at its end: looking later could miss it
    }
    // A prune on PostgreSQL takes each key's lease in a round trip of its own before its one
    // transaction (about 4 ms a key here, after its start-up): killed within 400 ms,
    // it would never reach that transaction, let alone commit it. Within about its own length,
    // some are killed in each step and some end.
    if (watch != null && command.equals("prune")) {
      return (int) (500 + 4 * watch.entries());
    }
    return 400;
  }

  /** Counts a kill of {@code command} by what the database showed just before it. */
  private void count(String command, PostgresWatch.Moment moment, boolean aimed) {
    if (aimed) {
      report.aimedKills++;
    }
    if (moment.leaseHeld()) {
      countMoment("lease held", command);
    }
    if (moment.transactionOpen()) {
      countMoment("transaction open", command);
    }
    if (moment.writeOpen()) {
      countMoment("transaction that writes open", command);
    }
    if (!moment.leaseHeld() && !moment.transactionOpen()) {
      countMoment("neither", command);
    }
  }

  private void countMoment(String moment, String command) {
    report
        .killsByMoment
        .computeIfAbsent(moment, m -> new TreeMap<>())
        .merge(command, 1, Integer::sum);
  }

  /**
   * Waits until no session of the tool is left on the database (the killed process's, the check's),
   * so that the sessions seen next are the next process's.
   */
  private void settleDatabase() throws Exception {
    if (!watch.awaitNoSessions(SETTLE_AT_MOST)) {
      report.violations.add(
          "sessions of the tool were still on the database "
              + SETTLE_AT_MOST.toSeconds()
              + " s after its process had ended");
    }
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
    if (watch == null) {
      pb.environment().put("EDLINK_IDEM_JOURNAL", journal.toString());
    } else {
      // As ToolProcess: no PG setting of the caller's but those the campaign passes.
      pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
      pb.environment().put("EDLINK_IDEM_JOURNAL", settings.postgres().url());
      pb.environment().put("PGUSER", watch.user());
      if (watch.password() != null) {
        pb.environment().put("PGPASSWORD", watch.password());
      }
      pb.environment().put("EDLINK_IDEM_LEASE", LEASE);
    }
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
      if (watch != null && !watch.awaitNoLeaseInForce(SETTLE_AT_MOST)) {
        // A key in flight (exit 3) is to be tried again once its killed holder's lease ran out.
        report.violations.add(
            "a lease row was still in force " + SETTLE_AT_MOST.toSeconds() + " s after the kills");
        return;
      }
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
    try (Journal j = watch == null ? FileJournal.open(journal) : watch.openJournal()) {
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

  /**
   * {@code scripts/torture}: runs a campaign, prints what it saw, exits 1 when a promise broke and
   * 2 when it could not run. {@code --journal postgres} runs it on a throw-away PostgreSQL cluster
   * made in the work directory, {@code --journal postgres://USER@HOST:PORT/DB} on that database.
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    String given = options.get("--journal");
    if (given != null && !given.equals("postgres") && !PostgresTarget.isOne(given)) {
      System.err.println(
          "torture: --journal takes postgres (a throw-away cluster) or a postgres:// URL, not "
              + given
              + "; without it the journal is a directory in the work directory");
      System.exit(2);
    }
    if (given != null && !given.equals("postgres")) {
      try {
        PostgresTarget.parse(given, "--journal");
      } catch (PostgresSettingException e) {
        System.err.println("torture: " + e.getMessage());
        System.exit(2);
      }
    }
    if ("postgres".equals(given)) {
      Optional<String> why = PostgresCluster.whyUnavailable();
      if (why.isPresent()) {
        System.err.println("torture: no PostgreSQL for a throw-away cluster: " + why.get());
        System.exit(2);
      }
    }
    // Made once the options are known to be usable, and only when none is given.
    Path work =
        options.containsKey("--work")
            ? Path.of(options.get("--work"))
            : Files.createTempDirectory("edlink-idem-torture");
    PostgresCluster cluster = null;
    Postgres postgres = null;
    if ("postgres".equals(given)) {
      Files.createDirectories(work);
      cluster = PostgresCluster.start(work);
      postgres = new Postgres(cluster.url(cluster.passwordUser()), cluster.password());
    } else if (given != null) {
      postgres = new Postgres(given, null);
    }
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
            Path.of(System.getProperty("java.home"), "bin", "java"),
            postgres);
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
    if (postgres != null) {
      System.out.println(
          "journal: "
              + PostgresTarget.parse(postgres.url(), "--journal").shown()
              + (cluster == null ? "" : " (a throw-away cluster in " + cluster.directory() + ")"));
    }
    Report report;
    try {
      report = run(settings);
    } catch (IllegalArgumentException | SQLException | JournalException e) {
      System.err.println("torture: " + e.getMessage());
      System.exit(2);
      return;
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
    System.out.println(report);
    System.exit(report.violations.isEmpty() ? 0 : 1);
  }
}
