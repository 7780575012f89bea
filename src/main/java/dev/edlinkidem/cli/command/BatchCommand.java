package dev.edlinkidem.cli.command;

import dev.edlinkidem.batch.BatchFile;
import dev.edlinkidem.batch.BatchRun;
import dev.edlinkidem.batch.LineSender;
import dev.edlinkidem.batch.Pace;
import dev.edlinkidem.batch.Tally;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.option.SendOptions;
import dev.edlinkidem.cli.render.BatchReport;
import dev.edlinkidem.config.Unreadable;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code batch FILE|-}: one POST per JSON line, several at a time, each journaled and settled as
 * post would.
 */
@Command(
    name = "batch",
    mixinStandardHelpOptions = true,
    description = {
      "Send one POST per line of FILE (or stdin for -), several at a time. A line is a JSON object:"
          + " {\"path\": \"/api/v2/graph/classes/ID/assignments\", \"body\": {...}, \"key\":"
          + " \"optional\"}. A line without a key gets one derived from its method, canonical URL"
          + " and canonical body (members sorted, no spaces), so running the same file again, from"
          + " a retried CI job, sends nothing that already has an answer and creates no duplicate.",
      "",
      "Every request is journaled and forced to disk before it is sent, and retried as post"
          + " retries. A 429 or a Retry-After pauses the whole batch, once per round trip, and"
          + " lowers its pace, which grows back as answers come. A malformed line is reported with"
          + " its number and the others still go, unless --fail-fast. On a terminal, stderr shows"
          + " progress; a summary ends the run. The exit code is the most serious of the lines'."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem batch assignments.jsonl",
      "  jq -c '{path: \"/api/v2/graph/classes/\\(.class)/assignments\", body: .assignment}'"
          + " plan.json \\",
      "    | edlink-idem batch - --concurrency 16 --format jsonl > results.jsonl",
      "  edlink-idem batch nightly.jsonl --rate 50 --fail-fast"
    },
    exitCodeListHeading = "%nExit codes (the most serious line's):%n",
    exitCodeList = {
      "  0:every line succeeded, now or before (read from the journal)",
      "  1:internal error, or the journal could not be written",
      "  2:bad input: the file, an option, or a malformed line (that line was not sent)",
      "  3:a line was refused for safety (key reused, window ended, in flight elsewhere)",
      "  4:a request refused for good, or the token refused",
      "  5:Edlink failed until the retries ran out (pending: run the batch again)",
      "  6:no response until the retries ran out (pending: run the batch again)",
      "130:interrupted (what was in flight stays pending)"
    })
public final class BatchCommand implements Callable<Integer> {
  /** What stdout gets. */
  enum Format {
    TEXT,
    JSONL
  }

  @ParentCommand private EdlinkIdem root;

  @Parameters(paramLabel = "FILE", description = "JSON lines, one request each; - reads stdin.")
  private String file;

  @Option(
      names = {"-c", "--concurrency"},
      paramLabel = "N",
      defaultValue = "8",
      description = "Requests in flight at once, 1 to 256 (default: ${DEFAULT-VALUE}).")
  private int concurrency;

  @Option(
      names = "--rate",
      paramLabel = "R",
      description =
          "Start at most R requests per second, retries included (default: as fast as answers"
              + " come).")
  private Double rate;

  @Option(
      names = "--fail-fast",
      description = "Start no new line after the first one that does not succeed.")
  private boolean failFast;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "text (problems and a summary on stderr, the default) or jsonl (one JSON object per line"
              + " on stdout as each finishes: line, key, path, state, status, attempts,"
              + " from_journal, exit, error, response).")
  private Format format;

  @Mixin private SendOptions send;

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
    URI base = root.settings().baseUrl();
    send.checkCas(root, send.mayNeedTls(root));
    send.routed(root, base.toString());
    InputStream input = open();
    Bearer token = send.bearer(root);
    Pace pace = Pace.of(rate, concurrency, invocation.time());
    Tally tally = new Tally(failFast, pace::stop);
    BatchReport report =
        new BatchReport(root, format == Format.JSONL, send.replayArgs(), file, tally);
    Sender sender = send.sender(root, token, (attempt, wait) -> {}, send.mayNeedTls(root));
    Runnable forgetInterrupt = invocation.onInterrupt(report::interrupted);
    String readError = null;
    try (Journal journal = JournalAccess.open(root.settings(), root.invocation().environment());
        BatchFile lines = new BatchFile(input)) {
      Path fileToCount = Path.of(root.settings().expandHome(file));
      if (report.showsProgress() && Files.isRegularFile(fileToCount)) {
        report.expect(countLines(fileToCount)); // a pipe read twice would be read empty
      }
      // Each begin record is forced before its request is sent; outcomes are left to the next
      // reader to force, or a forced write per line would cap the batch at the disk's flush rate.
      journal.leaveOutcomesUnforced();
      report.start();
      LineSender lineSender =
          new LineSender(journal, sender, invocation.time(), invocation::now, tally::stopping);
      try (BatchRun run =
          new BatchRun(
              concurrency,
              pace,
              tally,
              lineSender,
              report::lineDone,
              path -> send.routed(root, Destination.resolve(path, base, send.allowedHosts())))) {
        try {
          try {
            run.feed(lines, isFile());
          } catch (IOException e) {
            readError =
                "cannot read "
                    + where()
                    + " after "
                    + lines.linesRead()
                    + " lines: "
                    + Unreadable.why(e)
                    + "; lines not yet read were not sent";
          }
          run.finish();
        } catch (InterruptedException e) {
          // Ctrl-C in the shell: requests in flight are interrupted and stay pending. The journal
          // is closed (and with it the keys' locks) only once no worker is left to write to it.
          pace.stop();
          if (!run.interrupt(Duration.ofSeconds(30))) {
            throw new CliException(
                ExitCode.INTERRUPTED, "interrupted; requests in flight stay pending");
          }
          Thread.currentThread().interrupt();
          report.finish(pace.pauses());
          throw new CliException(
              ExitCode.INTERRUPTED,
              "interrupted; requests in flight stay pending;"
                  + " run the same batch again to finish it");
        }
      }
      if (!root.style().quiet() && root.style().verbose()) {
        long[] shared = journal.forcesShared();
        invocation
            .err()
            .println(
                report.journalShare(lineSender.journalNanos(), lineSender.workerNanos())
                    + (shared == null
                        ? ""
                        : "; " + shared[1] + " forced writes in " + shared[0] + " groups"));
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
      throw new CliException(
          ExitCode.USAGE,
          "cannot read " + where() + ": " + Unreadable.why(e) + "; nothing was sent");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.INTERRUPTED, "interrupted; requests in flight stay pending");
    } finally {
      forgetInterrupt.run();
      report.stopProgress();
    }
  }

  private InputStream open() {
    if (file.equals("-")) {
      return root.invocation().stdin();
    }
    Path path = Path.of(root.settings().expandHome(file));
    if (Files.isDirectory(path)) {
      throw CliException.usage("cannot read " + path + ": it is a directory");
    }
    try {
      return Files.newInputStream(path);
    } catch (IOException e) {
      throw CliException.usage("cannot read " + path + ": " + Unreadable.why(e));
    }
  }

  /** Whether the lines come from a file, which ends, rather than stdin or a pipe by name. */
  private boolean isFile() {
    return !file.equals("-") && Files.isRegularFile(Path.of(file));
  }

  private String where() {
    return file.equals("-") ? "stdin" : file;
  }

  /**
   * Lines that are not blank, for the progress line's "time left"; a guess is fine, so errors count
   * 0.
   */
  private static int countLines(Path path) {
    try (Stream<String> all = Files.lines(path, StandardCharsets.ISO_8859_1)) {
      return (int) all.filter(l -> !l.isBlank()).count();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}
