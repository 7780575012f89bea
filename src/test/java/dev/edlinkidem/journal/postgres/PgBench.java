package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.e2e.Cli;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Compaction;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The file journal and the PostgreSQL journal side by side, alternating in one run (scripts/
 * bench-pg): a post's journal work (lease, begin, the final attempt and outcome, release) timed in
 * this JVM, a remove of those entries, and a batch's throughput through the real command line
 * against an in-process sandbox, both in this JVM and as a process of its own, as users run it.
 * Prints medians; asserts nothing. A development tool, not shipped.
 */
public final class PgBench {
  private PgBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int posts = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int lines = args.length > 2 ? Integer.parseInt(args[2]) : 300;
    Path work = Files.createTempDirectory("edlink-idem-pgbench");
    try (PostgresCluster cluster = PostgresCluster.start(work)) {
      SandboxServer sandbox = SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, 1, l -> {});
      try {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
          text.append("{\"path\":\"/api/v2/graph/classes/00000000-0000-4000-8000-00000000000")
              .append(i % 7)
              .append("/assignments\",\"body\":{\"title\":\"Essay ")
              .append(i)
              .append("\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",")
              .append("\"grading_type\":\"points\"}}\n");
        }
        Path plan = Files.writeString(work.resolve("plan.jsonl"), text);
        archiveMade();
        List<Double> filePost = new ArrayList<>();
        List<Double> pgPost = new ArrayList<>();
        List<Double> fileRemove = new ArrayList<>();
        List<Double> pgRemove = new ArrayList<>();
        List<Double> fileBatch = new ArrayList<>();
        List<Double> fileProcess = new ArrayList<>();
        List<Double> pgProcess = new ArrayList<>();
        List<Double> pgBatch = new ArrayList<>();
        List<Double> serverCpu = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
          Path dir = work.resolve("file-" + r);
          try (Journal j = FileJournal.open(dir)) {
            filePost.add(postWork(j, posts, "f" + r));
            fileRemove.add(removeAll(j));
          }
          cluster.dropJournal();
          Properties props = new Properties();
          props.setProperty("user", cluster.superuser());
          try (Journal j =
              PostgresJournal.open(
                  cluster.jdbcUrl(),
                  props,
                  cluster.url("postgres"),
                  PostgresJournal.LEASE,
                  () -> {})) {
            pgPost.add(postWork(j, posts, "p" + r));
            pgRemove.add(removeAll(j));
          }
          fileBatch.add(batch(work.resolve("batch-file-" + r).toString(), sandbox, plan, lines));
          cluster.dropJournal();
          pgBatch.add(batch(cluster.url("postgres"), sandbox, plan, lines));
          fileProcess.add(
              batchProcess(work.resolve("process-file-" + r).toString(), sandbox, plan, lines));
          cluster.dropJournal();
          double serverBefore = serverCpuSeconds(cluster);
          pgProcess.add(batchProcess(cluster.url("postgres"), sandbox, plan, lines));
          Thread.sleep(300); // the server reaps the batch's sessions, and counts their time
          serverCpu.add((serverCpuSeconds(cluster) - serverBefore) * 1000 / lines);
        }
        System.out.printf(
            "post's journal work, ms (median of %d rounds of %d): file %.2f, PostgreSQL %.2f"
                + " (%.2fx)%n",
            rounds, posts, median(filePost), median(pgPost), median(pgPost) / median(filePost));
        System.out.printf(
            "removing those %d entries in one remove (prune's work), ms per entry: file %.3f,"
                + " PostgreSQL %.3f (%.2fx)%n",
            posts, median(fileRemove), median(pgRemove), median(pgRemove) / median(fileRemove));
        System.out.printf(
            "batch of %d lines, --concurrency 8, lines/s (median of %d): file %.0f, PostgreSQL %.0f"
                + " (%.0f%%)%n",
            lines,
            rounds,
            median(fileBatch),
            median(pgBatch),
            100 * median(pgBatch) / median(fileBatch));
        System.out.printf(
            "the same batch as users run it, a process of its own (scripts/edlink-idem, JVM start"
                + " included),"
                + " lines/s (median of %d): file %.0f, PostgreSQL %.0f (%.0f%%)%n",
            rounds,
            median(fileProcess),
            median(pgProcess),
            100 * median(pgProcess) / median(fileProcess));
        if (!serverCpu.isEmpty() && median(serverCpu) >= 0) {
          System.out.printf(
              "the server's CPU for that batch's sessions, ms a line (median of %d): %.3f%n",
              rounds, median(serverCpu));
        }
      } finally {
        sandbox.close();
      }
    }
  }

  /**
   * CPU seconds, user and system, of the server's sessions that have ended (the postmaster's
   * children's times, in clock ticks of 1/100 s, as Linux gives them), or -1 where it cannot be
   * read.
   */
  private static double serverCpuSeconds(PostgresCluster cluster) {
    try {
      long pid = cluster.pid().orElseThrow();
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the name: state is field 3; cutime and cstime are fields 16 and 17.
      return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) / 100.0;
    } catch (java.io.IOException | RuntimeException e) {
      return -1e9;
    }
  }

  /** Milliseconds per post's journal work, over {@code n} new keys. */
  private static double postWork(Journal journal, int n, String prefix) throws Exception {
    JournaledRequest request =
        JournaledRequest.post(
            "http://127.0.0.1:9/api/v2/graph/classes/x/assignments",
            "{\"title\":\"t\"}".getBytes(StandardCharsets.UTF_8));
    RecordedResponse answer =
        new RecordedResponse(
            200,
            Map.of("content-type", List.of("application/json")),
            "{}".getBytes(StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Instant at = Instant.now();
      try (Journal.Lease lease = journal.lease(prefix + "-" + i)) {
        lease.begin(request, at);
        lease.recordFinal(
            new Attempt(1, at, Duration.ofMillis(5), Attempt.Result.RESPONSE, 200, null, "r"),
            new Outcome(EntryState.SUCCEEDED, at, answer, "post"));
      }
    }
    return (System.nanoTime() - t0) / 1e6 / n;
  }

  /** Milliseconds per entry to remove every entry of {@code journal} in one call. */
  private static double removeAll(Journal journal) throws Exception {
    List<String> keys = journal.summaries().stream().map(s -> s.key()).toList();
    long t0 = System.nanoTime();
    Compaction c = journal.remove(keys, false);
    double perEntry = (System.nanoTime() - t0) / 1e6 / keys.size();
    if (c.changed().size() != keys.size()) {
      throw new IllegalStateException("removed " + c.changed().size() + " of " + keys.size());
    }
    return perEntry;
  }

  /**
   * Lines a second of a batch on {@code journal}, run in a process of its own as users run it:
   * through scripts/edlink-idem, with the class-data archive it makes ({@link #archiveMade}).
   */
  private static double batchProcess(String journal, SandboxServer sandbox, Path plan, int lines)
      throws Exception {
    ProcessBuilder b =
        new ProcessBuilder(
                LAUNCHER.toString(),
                "--journal",
                journal,
                "batch",
                plan.toString(),
                "--concurrency",
                "8",
                "-q")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    b.environment().put("EDLINK_TOKEN", "bench");
    b.environment().put("EDLINK_BASE_URL", sandbox.baseUrl().toString());
    b.environment().put("HOME", plan.getParent().toString());
    b.environment().put("PGUSER", "postgres");
    long t0 = System.nanoTime();
    int code = b.start().waitFor();
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (code != 0) {
      throw new IllegalStateException("the batch process exited " + code);
    }
    return lines / seconds;
  }

  private static final Path LAUNCHER = Path.of("scripts", "edlink-idem").toAbsolutePath();

  /**
   * Runs the launcher once and waits (up to two minutes) for the class-data archive it then makes
   * beside the jar in the background, so that every timed process starts as users' do.
   */
  private static void archiveMade() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    Path jar = target.resolve("edlink-idem.jar");
    ProcessBuilder b =
        new ProcessBuilder(LAUNCHER.toString(), "--version")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    b.start().waitFor();
    long end = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < end) {
      try (var archives = Files.list(target)) {
        boolean made =
            archives.anyMatch(
                a -> {
                  try {
                    return a.getFileName().toString().matches("edlink-idem-[0-9]+\\.jsa")
                        && Files.size(a) > 0
                        && Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(jar))
                            >= 0;
                  } catch (java.io.IOException e) {
                    return false;
                  }
                });
        if (made) {
          return;
        }
      }
      Thread.sleep(500);
    }
    System.out.println("(no class-data archive was made: processes start without one)");
  }

  /** Lines a second of a batch on the journal {@code journal}. */
  private static double batch(String journal, SandboxServer sandbox, Path plan, int lines) {
    Cli cli =
        new Cli()
            .env("EDLINK_TOKEN", "bench")
            .env("EDLINK_BASE_URL", sandbox.baseUrl().toString())
            .env("EDLINK_IDEM_JOURNAL", journal)
            .env("HOME", plan.getParent().toString());
    long t0 = System.nanoTime();
    Cli.Result r = cli.run("batch", plan.toString(), "--concurrency", "8", "-q");
    double seconds = (System.nanoTime() - t0) / 1e9;
    if (r.code() != 0) {
      throw new IllegalStateException("the batch failed: " + r);
    }
    return lines / seconds;
  }

  private static double median(List<Double> xs) {
    List<Double> sorted = new ArrayList<>(xs);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
