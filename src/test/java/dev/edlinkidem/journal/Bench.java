package dev.edlinkidem.journal;

import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * A development tool behind scripts/bench-journal, kept in the test tree so that it is not shipped:
 * seeds a large journal by writing its files directly (posting 100,000 requests would take hours),
 * and times the journal operations that {@code list}, {@code expiring}, {@code show} and {@code
 * post} use.
 *
 * <pre>
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench seed DIR N [SEED]
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench time DIR RUNS
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench key DIR     (a key to show)
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench keys DIR    (every key, as list --format keys)
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench expiring DIR
 * java -cp edlink-idem.jar:test-classes dev.edlinkidem.journal.Bench show DIR KEY
 * </pre>
 */
public final class Bench {
  private static final String BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final String WORDS =
      "essay read chapter discuss answer question draft revise cite source explain compare evidence"
          + " summary paragraph argument claim analyse respond reflect lab report data graph";

  private Bench() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    if (args.length >= 3 && args[0].equals("seed")) {
      long started = System.nanoTime();
      int n = Integer.parseInt(args[2]);
      seed(Path.of(args[1]), n, args.length > 3 ? Long.parseLong(args[3]) : 1, Instant.now());
      out.printf(
          Locale.ROOT,
          "seeded %d entries in %s in %.1f s%n",
          n,
          args[1],
          (System.nanoTime() - started) / 1e9);
    } else if (args.length >= 3 && args[0].equals("time")) {
      time(Path.of(args[1]), Integer.parseInt(args[2]), out);
    } else if (args.length >= 2 && args[0].equals("keys")) {
      // What `list --format keys` does with the journal, for timing before that command exists.
      try (FileJournal journal = FileJournal.open(Path.of(args[1]))) {
        java.io.PrintWriter w =
            new java.io.PrintWriter(
                new java.io.BufferedWriter(
                    new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
        for (EntrySummary s : journal.summaries()) {
          w.println(s.key());
        }
        w.flush();
      }
    } else if (args.length >= 2 && args[0].equals("expiring")) {
      // What `expiring` needs of the journal: every summary, filtered by its window.
      Instant now = Instant.now();
      try (FileJournal journal = FileJournal.open(Path.of(args[1]))) {
        for (EntrySummary s : journal.summaries()) {
          if (s.state() == EntryState.PENDING
              && s.window().allowsReplay(now)
              && s.window().replayDeadline().isBefore(now.plus(Duration.ofDays(7)))) {
            out.println(s.key() + "\t" + s.window().replayDeadline());
          }
        }
      }
    } else if (args.length >= 3 && args[0].equals("show")) {
      // What `show KEY` needs of the journal: one entry, request and response.
      try (FileJournal journal = FileJournal.open(Path.of(args[1]))) {
        Entry e = journal.find(args[2]).orElse(null);
        if (e == null) {
          System.err.println("no entry has the key " + args[2]);
          System.exit(1);
        }
        out.println(
            e.key()
                + " "
                + e.state().label()
                + " "
                + e.request().method()
                + " "
                + e.request().url());
        out.write(e.request().body());
        out.println();
        if (e.outcome() != null) {
          out.write(e.outcome().response().body());
          out.println();
        }
      }
    } else if (args.length >= 2 && args[0].equals("key")) {
      try (FileJournal journal = FileJournal.open(Path.of(args[1]))) {
        List<EntrySummary> all = journal.summaries();
        out.println(all.isEmpty() ? "no-such-key-000000" : all.get(all.size() / 2).key());
      }
    } else {
      System.err.println(
          "usage: Bench seed DIR N [SEED] | time DIR RUNS | key DIR | keys DIR | expiring DIR |"
              + " show DIR KEY");
      System.exit(2);
    }
  }

  /**
   * Writes n entries as the journal would have them after a month of CI: created over the last 30
   * days, 96% succeeded at once, 2% after a retry, 1% failed (422), 1% pending after 503s or lost
   * answers; bodies of 300-600 bytes, responses of 600-1200. Files are not forced: a seed is thrown
   * away, and forcing 100,000 files would take minutes.
   */
  static void seed(Path dir, int n, long seed, Instant now) throws IOException {
    Random random = new Random(seed);
    Layout layout = new Layout(dir);
    Files.createDirectories(dir, Disk.DIR_MODE);
    Files.setPosixFilePermissions(dir, Disk.PRIVATE_DIR);
    Disk.openPrivate(layout.lock(), StandardOpenOption.READ, StandardOpenOption.WRITE).close();
    Disk.makePrivateDirectory(layout.entries());
    Transaction.keepVersion1Out(layout);
    List<String> classes = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      classes.add(new UUID(random.nextLong(), random.nextLong()).toString());
    }
    List<Entry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Instant created =
          now.minus(
              Duration.ofMillis((long) (random.nextDouble() * Duration.ofDays(30).toMillis())));
      entries.add(entry(random, key(random), created, classes.get(random.nextInt(classes.size()))));
    }
    entries.sort(java.util.Comparator.comparing(Entry::created));
    List<SummaryCache.Line> lines = new ArrayList<>(n);
    for (Entry e : entries) {
      String hash = Layout.hash(e.key());
      Path file = layout.entryFile(hash);
      Disk.makePrivateDirectory(file.getParent());
      byte[] content = RecordCodec.encodeEntry(e);
      Disk.writeUnforced(file, content);
      lines.add(SummaryCache.Line.of(e, content.length, 0));
    }
    SummaryCache.rewrite(layout.cache(), SummaryCache.render(lines, Map.of(), Map.of()));
  }

  /** A key as a CI job makes them: 32 random base62 characters. */
  public static String key(Random random) {
    StringBuilder b = new StringBuilder(32);
    for (int i = 0; i < 32; i++) {
      b.append(BASE62.charAt(random.nextInt(BASE62.length())));
    }
    return b.toString();
  }

  /**
   * An entry as {@link #seed} writes them (also the PostgreSQL seeder's, {@code PgSeed}): 96%
   * succeeded at once, 2% after a retry, 1% failed, 1% pending.
   */
  public static Entry entry(Random random, String key, Instant created, String classId) {
    String url = "https://ed.link/api/v2/graph/classes/" + classId + "/assignments";
    byte[] body = assignment(random, null, 300 + random.nextInt(301));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    headers.put("Content-Type", "application/json");
    JournaledRequest request = new JournaledRequest("POST", url, headers, body);
    Entry e = new Entry(key, created, request, request.fingerprint(), List.of(), null);
    double roll = random.nextDouble();
    Instant at = created;
    if (roll < 0.01) {
      // Pending: the retries ran out on 503s or lost answers.
      int tries = 1 + random.nextInt(3);
      for (int n = 1; n <= tries; n++) {
        boolean lost = random.nextBoolean();
        e =
            e.withAttempt(
                new Attempt(
                    n,
                    at,
                    Duration.ofMillis(50 + random.nextInt(400)),
                    lost ? Attempt.Result.NO_RESPONSE : Attempt.Result.RESPONSE,
                    lost ? 0 : 503,
                    lost ? "connection closed without a response" : null,
                    lost ? null : UUID.randomUUID().toString()));
        at = at.plusSeconds(1L << n);
      }
      return e;
    }
    int n = 1;
    if (roll < 0.03) {
      e =
          e.withAttempt(
              new Attempt(
                  n++,
                  at,
                  Duration.ofMillis(100 + random.nextInt(300)),
                  Attempt.Result.NO_RESPONSE,
                  0,
                  "connection closed without a response",
                  null));
      at = at.plusSeconds(1);
    }
    boolean failed = roll >= 0.03 && roll < 0.04;
    int status = failed ? 422 : 201;
    String requestId = new UUID(random.nextLong(), random.nextLong()).toString();
    e =
        e.withAttempt(
            new Attempt(
                n,
                at,
                Duration.ofMillis(80 + random.nextInt(300)),
                Attempt.Result.RESPONSE,
                status,
                null,
                requestId));
    Map<String, List<String>> responseHeaders = new LinkedHashMap<>();
    responseHeaders.put("Content-Type", List.of("application/json; charset=utf-8"));
    responseHeaders.put("Date", List.of(at.toString()));
    responseHeaders.put("X-Request-Id", List.of(requestId));
    byte[] response =
        failed
            ? ("{\"$request\":\""
                    + requestId
                    + "\",\"$errors\":[{\"code\":\"INVALID_FIELD\",\"message\":\"due_date must be"
                    + " after the start of the class\"}]}")
                .getBytes(StandardCharsets.UTF_8)
            : assignment(random, requestId, 600 + random.nextInt(601));
    return e.withOutcome(
        new Outcome(
            failed ? EntryState.FAILED : EntryState.SUCCEEDED,
            at.plusMillis(90),
            new RecordedResponse(status, responseHeaders, response),
            roll < 0.02 ? "replay" : "post"));
  }

  /**
   * An assignment as JSON of about this many bytes; with a request id, wrapped as Edlink's answer.
   */
  private static byte[] assignment(Random random, String requestId, int size) {
    StringBuilder description = new StringBuilder();
    String[] words = WORDS.split(" ");
    int fixed = requestId == null ? 140 : 330;
    while (description.length() < size - fixed) {
      description.append(words[random.nextInt(words.length)]).append(' ');
    }
    String fields =
        "\"title\":\"Week "
            + (1 + random.nextInt(40))
            + " "
            + words[random.nextInt(words.length)]
            + "\",\"description\":\""
            + description.toString().trim()
            + "\",\"due_date\":\"2026-12-"
            + (10 + random.nextInt(18))
            + "T23:59:00Z\",\"points_possible\":"
            + (10 * (1 + random.nextInt(10)))
            + ",\"grading_type\":\"points\",\"state\":\"open\"";
    String json =
        requestId == null
            ? "{" + fields + "}"
            : "{\"$request\":\""
                + requestId
                + "\",\"$data\":{\"id\":\""
                + new UUID(random.nextLong(), random.nextLong())
                + "\","
                + fields
                + ",\"created_date\":\"2026-11-01T08:00:00.000Z\",\"updated_date\":\"2026-11-01T08:00:00.000Z\","
                + "\"properties\":{},\"integrations\":{\"source\":\"edlink-idem\"}}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Times each operation in a fresh journal object, as a command would: the first run (cold) and
   * the median.
   */
  static void time(Path dir, int runs, PrintStream out) throws Exception {
    List<String> keys;
    try (FileJournal journal = FileJournal.open(dir)) {
      keys = journal.summaries().stream().map(EntrySummary::key).toList();
    }
    Random random = new Random(7);
    Random fresh =
        new java.security.SecureRandom(); // new keys must differ from every earlier run's
    Map<String, List<Double>> times = new LinkedHashMap<>();
    int entriesRuns = keys.size() > 10_000 ? Math.min(runs, 3) : runs;
    for (int r = 0; r < runs; r++) {
      measure(
          times,
          "summaries()",
          () -> {
            try (FileJournal j = FileJournal.open(dir)) {
              j.summaries();
            }
          });
      String key = keys.isEmpty() ? "no-such-key-000000" : keys.get(random.nextInt(keys.size()));
      measure(
          times,
          "find(key)",
          () -> {
            try (FileJournal j = FileJournal.open(dir)) {
              j.find(key);
            }
          });
      String newKey = "bench-" + key(fresh);
      measure(
          times,
          "lease+entry()+begin, new key",
          () -> {
            try (FileJournal j = FileJournal.open(dir);
                Journal.Lease lease = j.lease(newKey)) {
              lease.entry();
              lease.begin(
                  new JournaledRequest(
                      "POST",
                      "https://ed.link/api/v2/graph/classes/c/assignments",
                      Map.of("Accept", "application/json"),
                      "{\"title\":\"bench\"}".getBytes(StandardCharsets.UTF_8)),
                  Instant.now());
            }
          });
      String posted = "bench-" + key(fresh);
      measure(
          times,
          "a post's journal work, new key",
          () -> {
            // What post asks of the journal around one successful send: lease, look, begin,
            // attempt, outcome.
            try (FileJournal j = FileJournal.open(dir);
                Journal.Lease lease = j.lease(posted)) {
              lease.entry();
              Instant at = Instant.now();
              lease.begin(
                  new JournaledRequest(
                      "POST",
                      "https://ed.link/api/v2/graph/classes/c/assignments",
                      Map.of("Accept", "application/json"),
                      "{\"title\":\"bench\"}".getBytes(StandardCharsets.UTF_8)),
                  at);
              lease.recordAttempt(
                  new Attempt(
                      1, at, Duration.ofMillis(80), Attempt.Result.RESPONSE, 201, null, "r"));
              lease.recordOutcome(
                  new Outcome(
                      EntryState.SUCCEEDED,
                      at,
                      new RecordedResponse(
                          201,
                          Map.of("Content-Type", List.of("application/json")),
                          "{\"$data\":{}}".getBytes(StandardCharsets.UTF_8)),
                      "post"));
            }
          });
      if (r < entriesRuns) {
        measure(
            times,
            "entries()",
            () -> {
              try (FileJournal j = FileJournal.open(dir)) {
                j.entries();
              }
            });
      }
    }
    out.printf(
        Locale.ROOT,
        "%-34s %10s %10s %6s%n",
        "operation (" + keys.size() + " entries)",
        "median ms",
        "first ms",
        "runs");
    times.forEach(
        (name, t) ->
            out.printf(
                Locale.ROOT, "%-34s %10.1f %10.1f %6d%n", name, median(t), t.get(0), t.size()));
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void measure(Map<String, List<Double>> times, String name, Step step)
      throws Exception {
    long t0 = System.nanoTime();
    step.run();
    times.computeIfAbsent(name, n -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
