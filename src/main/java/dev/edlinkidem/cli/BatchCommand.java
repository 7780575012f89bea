package dev.edlinkidem.cli;

import dev.edlinkidem.batch.BatchFile;
import dev.edlinkidem.batch.Pace;
import dev.edlinkidem.config.Unreadable;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.Sender;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code batch FILE|-}: one POST per JSON line, several at a time, each journaled and settled as post would. */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = {
      "Send one POST per line of FILE (or stdin for -), several at a time. A line is a JSON object: "
          + "{\"path\": \"/api/v2/graph/classes/ID/assignments\", \"body\": {...}, \"key\": \"optional\"}. "
          + "A line without a key gets one derived from its method, URL and canonical body (members sorted, "
          + "no spaces), so running the same file again, from a retried CI job, sends nothing that already "
          + "has an answer and creates no duplicate.",
      "",
      "Every request is journaled and forced to disk before it is sent, and retried as post retries. "
          + "A 429 or a Retry-After slows the whole batch, not only the request that heard it. A malformed "
          + "line is reported with its number and the others still go, unless --fail-fast. On a terminal, "
          + "stderr shows progress; a summary ends the run. The exit code is the most serious of the lines'."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem batch assignments.jsonl",
      "  jq -c '{path: \"/api/v2/graph/classes/\\(.class)/assignments\", body: .assignment}' plan.json \\",
      "    | edlink-idem batch - --concurrency 16 --format jsonl > results.jsonl",
      "  edlink-idem batch nightly.jsonl --rate 50 --fail-fast"
    },
    exitCodeListHeading = "%nExit codes (the most serious line's):%n",
    exitCodeList = {
      "  0:every line succeeded, now or before (read from the journal)",
      "  1:internal error, or the journal could not be written",
      "  2:bad input: the file, an option, or a malformed line (that line was not sent)",
      "  3:a line was refused for safety (key reused, window ended, in flight elsewhere)",
      "  4:a final 4xx, or the token was refused",
      "  5:5xx until the retries ran out (pending: run the batch again)",
      "  6:no response until the retries ran out (pending: run the batch again)",
      "130:interrupted (what was in flight stays pending)"
    })
final class BatchCommand implements Callable<Integer> {
  /** What stdout gets. */
  enum Format { TEXT, JSONL }

  @ParentCommand
  private EdlinkIdem root;

  @Parameters(paramLabel = "FILE", description = "JSON lines, one request each; - reads stdin.")
  private String file;

  @Option(names = {"-c", "--concurrency"}, paramLabel = "N", defaultValue = "8",
      description = "Requests in flight at once, 1 to 256 (default: ${DEFAULT-VALUE}).")
  private int concurrency;

  @Option(names = "--rate", paramLabel = "R",
      description = "Start at most R requests per second, retries included (default: as fast as answers come).")
  private Double rate;

  @Option(names = "--fail-fast", description = "Start no new line after the first one that does not succeed.")
  private boolean failFast;

  @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
      description = "text (problems and a summary on stderr, the default) or jsonl (one JSON object per line on "
          + "stdout as each finishes: line, key, path, state, status, attempts, from_journal, exit, error, response).")
  private Format format;

  @Mixin
  private SendOptions send;

  @Override
  public Integer call() {
    if (concurrency < 1 || concurrency > 256) {
      throw CliException.usage("--concurrency must be 1 to 256, not " + concurrency);
    }
    if (rate != null && !(rate > 0 && rate <= 1e6)) {
      throw CliException.usage("--rate must be more than 0 requests per second");
    }
    Invocation invocation = root.invocation();
    invocation.now(); // a malformed EDLINK_IDEM_NOW is a usage error before anything else
    send.policy(root);
    InputStream input = open();
    String token = send.token(root);
    Pace pace = Pace.of(rate, concurrency, invocation.time());
    BatchReport report = new BatchReport(root, format == Format.JSONL, send.replayArgs(), file, pace::stop);
    Sender sender = send.sender(root, token, (attempt, wait) -> { }, pace, send.mayNeedTls(root));
    // Twice as many workers as requests in flight: while some wait for answers, others journal
    // the next lines, so the journal's forced writes are not in the way of the requests.
    int workerCount = 2 * concurrency;
    ExecutorService workers = Executors.newFixedThreadPool(workerCount, r -> {
      Thread t = new Thread(r, "batch-worker");
      t.setDaemon(true);
      return t;
    });
    Runnable forgetInterrupt = invocation.onInterrupt(report::interrupted);
    String readError = null;
    try (FileJournal journal = FileJournal.open(root.settings().journalDir()); BatchFile lines = new BatchFile(input)) {
      if (report.showsProgress() && Files.isRegularFile(Path.of(file))) {
        report.expect(countLines(Path.of(file))); // a pipe read twice would be read empty
      }
      // Each begin record is forced before its request is sent; outcomes are left to the next
      // reader to force, or a forced write per line would cap the batch at the disk's flush rate.
      journal.leaveOutcomesUnforced();
      report.start();
      LineSender lineSender = new LineSender(root, journal, sender, report::stopping);
      try {
        try {
          feed(lines, workers, workerCount, lineSender, report);
        } catch (IOException e) {
          readError = "cannot read " + where() + " after " + lines.linesRead() + " lines: " + Unreadable.why(e)
              + "; lines not yet read were not sent";
        }
        workers.shutdown();
        while (!workers.awaitTermination(1, TimeUnit.HOURS)) {
          // A batch may run for hours; it ends when its last line does.
        }
      } catch (InterruptedException e) {
        // Ctrl-C in the shell: requests in flight are interrupted and stay pending. The journal
        // is closed (and with it the keys' locks) only once no worker is left to write to it.
        workers.shutdownNow();
        pace.stop();
        if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
          throw new CliException(ExitCode.INTERRUPTED, "interrupted; requests in flight stay pending");
        }
        Thread.currentThread().interrupt();
        report.finish(pace.pauses());
        throw new CliException(ExitCode.INTERRUPTED, "interrupted; requests in flight stay pending;"
            + " run the same batch again to finish it");
      }
      if (!root.style().quiet() && root.style().verbose()) {
        long[] shared = journal.forcesShared();
        invocation.err().println(report.journalShare(lineSender.journalNanos(), lineSender.workerNanos())
            + "; " + shared[1] + " forced writes in " + shared[0] + " groups");
      }
      int exit = report.finish(pace.pauses());
      if (readError != null) {
        invocation.err().println("edlink-idem: " + readError);
        return ExitCode.mostSerious(exit, ExitCode.USAGE);
      }
      return exit;
    } catch (JournalException e) {
      throw new CliException(ExitCode.INTERNAL, e.getMessage(), e);
    } catch (IOException e) {
      throw new CliException(ExitCode.USAGE, "cannot read " + where() + ": " + Unreadable.why(e)
          + "; nothing was sent");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.INTERRUPTED, "interrupted; requests in flight stay pending");
    } finally {
      forgetInterrupt.run();
      workers.shutdownNow();
      report.stopProgress();
    }
  }

  /**
   * Reads the lines and hands each request to a worker, at most one line per worker at a time.
   * A line is checked here first: its URL, its key, and whether an earlier line of the file
   * already names the same key.
   */
  private void feed(BatchFile lines, ExecutorService workers, int workerCount, LineSender lineSender,
      BatchReport report) throws IOException, InterruptedException {
    Semaphore slots = new Semaphore(workerCount);
    URI base = root.settings().baseUrl();
    Map<String, Seen> seen = new HashMap<>();
    BatchFile.Line line;
    while (!report.stopping() && (line = lines.next()) != null) {
      if (line instanceof BatchFile.Malformed m) {
        report.done(LineResult.malformed(m.number(), m.reason()), false, failFast);
        continue;
      }
      BatchFile.Request r = (BatchFile.Request) line;
      String url;
      try {
        url = Destination.resolve(r.path(), base, send.allowedHosts);
      } catch (Destination.Refused e) {
        report.done(LineResult.malformed(r.number(), e.getMessage()), false, failFast);
        continue;
      }
      JournaledRequest request = new JournaledRequest("POST", url, PostCommand.headers(r.body()), r.body());
      String key = r.key() != null ? r.key() : BatchFile.Request.derivedKey(url, r.body());
      Seen first = seen.putIfAbsent(key, new Seen(r.number(), request.fingerprint()));
      if (first != null) {
        report.done(first.fingerprint().equals(request.fingerprint())
            ? LineResult.sameAs(r.number(), r.path(), key, first.line())
            : LineResult.refused(r.number(), r.path(), key, "key " + key + " is also on line " + first.line()
                + " for a different request; nothing was sent for this line"), false, failFast);
        continue;
      }
      slots.acquire();
      if (report.stopping()) {
        slots.release();
        break;
      }
      report.started();
      try {
        workers.execute(() -> {
          try {
            report.done(lineSender.settle(r.number(), r.path(), key, request), true, failFast);
          } finally {
            slots.release();
          }
        });
      } catch (RuntimeException e) {
        slots.release();
        throw e;
      }
    }
  }

  /** The first line of the file with a key, and its request's fingerprint. */
  private record Seen(int line, String fingerprint) {}

  private InputStream open() {
    if (file.equals("-")) {
      return root.invocation().stdin();
    }
    Path path = Path.of(file);
    if (Files.isDirectory(path)) {
      throw CliException.usage("cannot read " + path + ": it is a directory");
    }
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + path + ": " + Unreadable.why(e));
    }
  }

  private String where() {
    return file.equals("-") ? "stdin" : file;
  }

  /** Lines that are not blank, for the progress line's "time left"; a guess is fine, so errors count 0. */
  private static int countLines(Path path) {
    try (java.util.stream.Stream<String> all = Files.lines(path, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      return (int) all.filter(l -> !l.isBlank()).count();
    } catch (IOException | java.io.UncheckedIOException e) {
      return 0;
    }
  }
}
