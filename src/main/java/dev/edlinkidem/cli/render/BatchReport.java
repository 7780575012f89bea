package dev.edlinkidem.cli.render;

import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.edlinkidem.batch.LineResult;
import dev.edlinkidem.batch.Tally;
import dev.edlinkidem.cli.CommandContext;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What a batch shows as it goes: one JSON line per finished line ({@code --format jsonl}), a line
 * on stderr per problem, a progress line on a terminal, and the summary at the end. The counting
 * and the decision to stop are the {@link Tally}'s; this only draws them. Workers report to it from
 * many threads; it is the one place that writes.
 */
public final class BatchReport {
  private final CommandContext root;
  private final boolean jsonl;
  private final List<String> replayArgs;
  private final String file;
  private final Tally tally;
  private final ProgressLine progress;
  private ScheduledExecutorService ticker;
  private long startedAt;
  private int expected;

  public BatchReport(
      CommandContext root, boolean jsonl, List<String> replayArgs, String file, Tally tally) {
    this.root = root;
    this.jsonl = jsonl;
    this.replayArgs = List.copyOf(replayArgs);
    this.file = file;
    this.tally = tally;
    this.progress = ProgressLine.on(root);
  }

  public boolean showsProgress() {
    return progress.enabled();
  }

  /** How many lines the file has, for the progress line's "time left". */
  public synchronized void expect(int lines) {
    expected = lines;
  }

  public void start() {
    startedAt = root.invocation().time().nanoTime();
    if (progress.enabled()) {
      ticker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "batch-progress");
                t.setDaemon(true);
                return t;
              });
      ticker.scheduleAtFixedRate(this::draw, 200, 250, TimeUnit.MILLISECONDS);
    }
  }

  /** A line ended and the tally has counted it: shows it. */
  public synchronized void lineDone(LineResult r) {
    if (jsonl) {
      PrintWriter out = root.invocation().out();
      out.println(JsonDocument.COMPACT.toJson(json(r)));
      out.flush();
    }
    boolean shown =
        r.exit() != ExitCode.OK
            || (r.kind() == LineResult.Kind.SUCCEEDED
                ? root.style().verbose()
                : !root.style().quiet());
    if (r.message() != null && shown) {
      say("line " + r.line() + ": " + r.message());
    }
  }

  /** The shutdown hook's message when Ctrl-C or SIGTERM ends the batch. */
  public void interrupted() {
    stopProgress();
    synchronized (this) {
      Tally.Counts now = tally.counts();
      root.invocation()
          .err()
          .println(
              "edlink-idem: interrupted · "
                  + now.done()
                  + " lines done; the "
                  + now.inFlight()
                  + " in flight stay pending; run the same batch again to finish it: lines that"
                  + " have an answer are not sent again");
    }
  }

  /** The journal's share of the workers' time, for --verbose and the benchmark. */
  public String journalShare(long journalNanos, long workerNanos) {
    double share = workerNanos == 0 ? 0 : 100.0 * journalNanos / workerNanos;
    return String.format(
        Locale.ROOT,
        "edlink-idem: journal: %d ms of %d ms worker time (%.1f%%)",
        journalNanos / 1_000_000,
        workerNanos / 1_000_000,
        share);
  }

  /** Prints the summary and returns the exit code: the most serious line's. */
  public synchronized int finish(long pauses) {
    stopProgress();
    double seconds = seconds();
    PrintWriter err = root.invocation().err();
    Tally.Counts counts = tally.counts();
    int done = counts.done();
    StringBuilder b =
        new StringBuilder("batch: ")
            .append(done)
            .append(done == 1 ? " line in " : " lines in ")
            .append(String.format(Locale.ROOT, "%.1f s", seconds));
    if (seconds > 0 && counts.sent() > 0) {
      b.append(String.format(Locale.ROOT, " (%.0f/s)", done / seconds));
    }
    b.append(": ").append(counts.of(LineResult.Kind.SUCCEEDED)).append(" succeeded");
    if (counts.fromJournal() > 0) {
      b.append(" (").append(counts.fromJournal()).append(" already in the journal, not sent)");
    }
    for (LineResult.Kind kind : LineResult.Kind.values()) {
      if (kind != LineResult.Kind.SUCCEEDED && counts.of(kind) > 0) {
        b.append(", ").append(counts.of(kind)).append(' ').append(kind.label());
      }
    }
    if (pauses > 0) {
      b.append("; Edlink asked to slow down ")
          .append(pauses)
          .append(pauses == 1 ? " time" : " times");
    }
    int exit = counts.exit();
    if (exit != ExitCode.OK || !root.style().quiet()) {
      err.println("edlink-idem: " + b);
    }
    if (counts.stoppedBecause() != null) {
      err.println(
          "edlink-idem: stopped starting lines: "
              + counts.stoppedBecause()
              + "; lines not yet started were not sent");
    }
    int unfinished = counts.unfinished();
    if (unfinished > 0) {
      err.println(
          "edlink-idem: "
              + unfinished
              + (unfinished == 1 ? " line is" : " lines are")
              + " pending or not sent: "
              + (counts.tokenRefused() ? "fix the token, then " : "")
              + "run the same batch again to finish"
              + (file.equals("-") ? " (the same lines on stdin)" : "")
              + "; lines that have an answer are not sent again."
              + " Or: "
              + CommandText.replay(root.settings().flags(), "--all-pending", replayArgs));
    }
    return exit;
  }

  private double seconds() {
    return (root.invocation().time().nanoTime() - startedAt) / 1e9;
  }

  public void stopProgress() {
    ScheduledExecutorService t;
    synchronized (this) {
      t = ticker;
      ticker = null;
      progress.clear();
    }
    if (t != null) {
      t.shutdownNow();
    }
  }

  /** Prints a line on stderr, taking the progress line away first and drawing it again after. */
  private void say(String line) {
    progress.clear();
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
    double seconds = seconds();
    Tally.Counts counts = tally.counts();
    int done = counts.done();
    double rate = seconds > 0 ? done / seconds : 0;
    // "Pending" is the journal's word (needs a replay): lines not done yet are queued or in flight.
    int inFlight = counts.inFlight();
    StringBuilder b = new StringBuilder("edlink-idem: ").append(done).append(" done · ");
    if (expected > done) {
      b.append(Math.max(0, expected - done - inFlight)).append(" queued · ");
    }
    b.append(inFlight).append(" in flight · ").append(counts.failed()).append(" failed · ");
    int pending = counts.of(LineResult.Kind.PENDING);
    if (pending > 0) {
      b.append(pending).append(" pending · ");
    }
    b.append(String.format(Locale.ROOT, "%.0f/s", rate));
    if (expected > done && rate > 0) {
      b.append(" · ")
          .append(Durations.format(Duration.ofSeconds((long) Math.ceil((expected - done) / rate))))
          .append(" left");
    }
    progress.draw(b.toString());
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
    o.add(
        "response",
        r.response() == null ? JsonNull.INSTANCE : ResultPrinter.bodyAsJson(r.response().body()));
    return o;
  }
}
