package dev.edlinkidem.cli;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a batch tells as it goes: one JSON line per finished line ({@code --format jsonl}), a line
 * on stderr per problem, a progress line on a terminal, and the summary and exit code at the end.
 * Workers report to it from many threads; it is the one place that writes.
 */
final class BatchReport {
  private final EdlinkIdem root;
  private final boolean jsonl;
  private final List<String> replayArgs;
  private final String file;
  private final boolean progress;
  private final Map<LineResult.Kind, Integer> counts = new EnumMap<>(LineResult.Kind.class);
  private ScheduledExecutorService ticker;
  private long startedAt;
  private int expected;
  private int inFlight;
  private int done;
  private int fromJournal;
  private int exit = ExitCode.OK;
  private boolean stopping;
  private String stoppedBecause;
  private boolean drawn;

  private final Runnable onStop;
  private boolean tokenRefused;

  /** @param onStop told once when the batch starts stopping, so that no further attempt starts */
  BatchReport(EdlinkIdem root, boolean jsonl, List<String> replayArgs, String file, Runnable onStop) {
    this.onStop = onStop;
    this.root = root;
    this.jsonl = jsonl;
    this.replayArgs = List.copyOf(replayArgs);
    this.file = file;
    Invocation invocation = root.invocation();
    this.progress = invocation.terminal().stderr() && !root.style().quiet() && !"dumb".equals(invocation.env("TERM"));
  }

  boolean showsProgress() {
    return progress;
  }

  /** How many lines the file has, for the progress line's "time left". */
  synchronized void expect(int lines) {
    expected = lines;
  }

  void start() {
    startedAt = root.invocation().time().nanoTime();
    if (progress) {
      ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "batch-progress");
        t.setDaemon(true);
        return t;
      });
      ticker.scheduleAtFixedRate(this::draw, 200, 250, TimeUnit.MILLISECONDS);
    }
  }

  /** A line was handed to a worker. */
  synchronized void started() {
    inFlight++;
  }

  /** Whether no new line should be started: --fail-fast saw a problem, or the token was refused. */
  synchronized boolean stopping() {
    return stopping;
  }

  /**
   * A line ended: counts it, shows it, and decides whether the batch stops starting lines.
   *
   * @param started whether a worker had the line ({@link #started()}), or it ended before being sent
   */
  synchronized void done(LineResult r, boolean started, boolean failFast) {
    if (started) {
      inFlight--;
    }
    done++;
    counts.merge(r.kind(), 1, Integer::sum);
    if (r.fromJournal()) {
      fromJournal++;
    }
    exit = ExitCode.mostSerious(exit, r.exit());
    if (jsonl) {
      PrintWriter out = root.invocation().out();
      out.println(ResultPrinter.COMPACT.toJson(json(r)));
      out.flush();
    }
    if (r.message() != null && (r.exit() != ExitCode.OK || !root.style().quiet())) {
      say("line " + r.line() + ": " + r.message());
    } else if (root.style().verbose() && r.kind() == LineResult.Kind.SUCCEEDED) {
      say("line " + r.line() + ": " + r.status() + " succeeded · key " + r.key()
          + (r.fromJournal() ? " · recorded in the journal, not sent" : ""));
    }
    if (!stopping && r.exit() == ExitCode.CLIENT_ERROR && r.kind() == LineResult.Kind.PENDING) {
      tokenRefused = true;
      stop("Edlink refused the token on line " + r.line() + ", so the other lines would be refused too");
    } else if (!stopping && failFast && r.exit() != ExitCode.OK) {
      stop("line " + r.line() + " did not succeed and --fail-fast is on");
    }
  }

  private void stop(String because) {
    stopping = true;
    stoppedBecause = because;
    onStop.run();
  }

  /** The shutdown hook's message when Ctrl-C or SIGTERM ends the batch. */
  void interrupted() {
    stopProgress();
    synchronized (this) {
      root.invocation().err().println("edlink-idem: interrupted · " + done + " lines done; the " + inFlight
          + " in flight stay pending; run the same batch again to finish it: lines that have an answer are not sent again");
    }
  }

  /** The journal's share of the workers' time, for --verbose and the benchmark. */
  String journalShare(long journalNanos, long workerNanos) {
    double share = workerNanos == 0 ? 0 : 100.0 * journalNanos / workerNanos;
    return String.format(Locale.ROOT, "edlink-idem: journal: %d ms of %d ms worker time (%.1f%%)",
        journalNanos / 1_000_000, workerNanos / 1_000_000, share);
  }

  /** Prints the summary and returns the exit code: the most serious line's. */
  synchronized int finish(long pauses) {
    stopProgress();
    double seconds = (root.invocation().time().nanoTime() - startedAt) / 1e9;
    PrintWriter err = root.invocation().err();
    StringBuilder b = new StringBuilder("batch: ").append(done).append(done == 1 ? " line in " : " lines in ")
        .append(String.format(Locale.ROOT, "%.1f s", seconds));
    int sent = done - fromJournal - count(LineResult.Kind.MALFORMED) - count(LineResult.Kind.SAME_AS_EARLIER)
        - count(LineResult.Kind.REFUSED) - count(LineResult.Kind.NOT_SENT);
    if (seconds > 0 && sent > 0) {
      b.append(String.format(Locale.ROOT, " (%.0f/s)", done / seconds));
    }
    b.append(": ").append(count(LineResult.Kind.SUCCEEDED)).append(" succeeded");
    if (fromJournal > 0) {
      b.append(" (").append(fromJournal).append(" already in the journal, not sent)");
    }
    for (LineResult.Kind kind : LineResult.Kind.values()) {
      if (kind != LineResult.Kind.SUCCEEDED && count(kind) > 0) {
        b.append(", ").append(count(kind)).append(' ').append(kind.label());
      }
    }
    if (pauses > 0) {
      b.append("; Edlink asked to slow down ").append(pauses).append(pauses == 1 ? " time" : " times");
    }
    if (exit != ExitCode.OK || !root.style().quiet()) {
      err.println("edlink-idem: " + b);
    }
    if (stoppedBecause != null) {
      err.println("edlink-idem: stopped starting lines: " + stoppedBecause + "; lines not yet started were not sent");
    }
    int unfinished = count(LineResult.Kind.PENDING) + count(LineResult.Kind.NOT_SENT);
    if (unfinished > 0) {
      err.println("edlink-idem: " + unfinished + (unfinished == 1 ? " line is" : " lines are")
          + " pending or not sent: " + (tokenRefused ? "fix the token, then " : "")
          + "run the same batch again to finish"
          + (file.equals("-") ? " (the same lines on stdin)" : "") + "; lines that have an answer are not sent again."
          + " Or: " + CommandText.replay(root.settings().flags(), "--all-pending", replayArgs));
    }
    return exit;
  }

  private int count(LineResult.Kind kind) {
    return counts.getOrDefault(kind, 0);
  }

  void stopProgress() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = ticker;
      ticker = null;
      clearProgress();
    }
    if (t != null) {
      t.shutdownNow();
    }
  }

  /** Prints a line on stderr, taking the progress line away first and drawing it again after. */
  private void say(String line) {
    clearProgress();
    root.invocation().err().println("edlink-idem: " + line);
    if (ticker != null) {
      drawNow();
    }
  }

  private synchronized void draw() {
    if (ticker != null) {
      drawNow();
    }
  }

  private void drawNow() {
    double seconds = (root.invocation().time().nanoTime() - startedAt) / 1e9;
    double rate = seconds > 0 ? done / seconds : 0;
    int failed = count(LineResult.Kind.FAILED) + count(LineResult.Kind.REFUSED) + count(LineResult.Kind.MALFORMED)
        + count(LineResult.Kind.ERROR);
    int pending = expected > done ? expected - done : inFlight;
    StringBuilder b = new StringBuilder("edlink-idem: ").append(done).append(" done · ").append(pending)
        .append(" pending · ").append(failed).append(" failed · ")
        .append(String.format(Locale.ROOT, "%.0f/s", rate));
    if (expected > done && rate > 0) {
      b.append(" · ").append(Durations.format(java.time.Duration.ofSeconds((long) Math.ceil((expected - done) / rate))))
          .append(" left");
    }
    int width = root.invocation().columns() > 0 ? root.invocation().columns() - 1 : 79;
    PrintWriter err = root.invocation().err();
    err.print("\r" + b.substring(0, Math.min(b.length(), width)) + "\u001b[K");
    err.flush();
    drawn = true;
  }

  private void clearProgress() {
    if (drawn) {
      PrintWriter err = root.invocation().err();
      err.print("\r\u001b[K");
      err.flush();
      drawn = false;
    }
  }

  private static JsonObject json(LineResult r) {
    JsonObject o = new JsonObject();
    o.addProperty("line", r.line());
    o.addProperty("key", r.key());
    o.addProperty("path", r.path());
    o.addProperty("state", r.kind().label());
    o.add("status", r.status() == 0 ? JsonNull.INSTANCE : new JsonPrimitive(r.status()));
    o.addProperty("attempts", r.attempts());
    o.addProperty("from_journal", r.fromJournal());
    o.addProperty("exit", r.exit());
    o.addProperty("expires_at", r.expiresAt() == null ? null : r.expiresAt().toString());
    o.addProperty("error", r.exit() == ExitCode.OK ? null : r.message());
    o.add("response", r.response() == null ? JsonNull.INSTANCE : ResultPrinter.bodyAsJson(r.response().body()));
    return o;
  }
}
