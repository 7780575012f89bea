package dev.edlinkidem.cli.command;

import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.option.ReportFormat;
import dev.edlinkidem.cli.render.CommandText;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.ProgressLine;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.edlink.RequestLog;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.reconcile.LogVerdict;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Verdict;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code reconcile}: ask Edlink's request log what became of pending keys, without sending them.
 */
@Command(
    name = "reconcile",
    mixinStandardHelpOptions = true,
    description =
        "Ask Edlink's request log (GET /api/v2/graph/requests, read newest first) whether pending"
            + " keys ever reached Edlink, without sending anything. A logged 2xx resolves the entry"
            + " as succeeded and a logged final refusal as failed (recorded as learned by"
            + " reconcile); any other logged answer (INTERNAL, UNKNOWN, a 5xx, a refused token)"
            + " leaves it pending, since it arrived but what became of it is not known. A key not"
            + " in the log is safe to replay inside its window; past it, the log (which keeps 30"
            + " days) can no longer say, and only the class can. Needs an integration (graph)"
            + " token: user tokens cannot read the request log.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem reconcile --all-pending",
      "  edlink-idem reconcile 7Hq2xZ --token-file ~/.config/edlink/graph-token"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:the log was read (whatever it said)",
      "1:journal unreadable or not writable",
      "2:bad input or no token",
      "4:the token was refused (use an integration token)",
      "5:Edlink failed",
      "6:no response",
      "130:interrupted; nothing was changed"
    })
public final class ReconcileCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Parameters(
      paramLabel = "KEY",
      arity = "0..*",
      description =
          "Keys, or unique prefixes of at least " + KeyResolver.MIN_PREFIX + " characters.")
  private List<String> keys = new ArrayList<>();

  @Option(names = "--all-pending", description = "Every pending entry.")
  private boolean allPending;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Read the integration (graph) token from FILE (else EDLINK_TOKEN).")
  private Path tokenFile;

  @Option(
      names = "--timeout",
      paramLabel = "DUR",
      defaultValue = "120s",
      converter = Durations.class,
      description = "How long one page of the request log may take (default: ${DEFAULT-VALUE}).")
  private Duration timeout;

  @Mixin private ReportFormat format;

  private int resolved;
  private int notFound;
  private int arrived;
  private int skipped;

  /** Keys listed as pending whose records could not be read: the command then exits 1. */
  private int unreadable;

  @Override
  public Integer call() {
    if (keys.isEmpty() == !allPending) {
      throw CliException.usage(
          allPending
              ? "give keys or --all-pending, not both"
              : "name the keys to reconcile, or use --all-pending");
    }
    Instant now = root.invocation().now();
    URI base = root.settings().baseUrl();
    return JournalAccess.with(
        root,
        journal -> {
          List<EntrySummary> targets = targets(journal);
          if (targets.isEmpty()) {
            if (!root.style().quiet()) {
              root.invocation().err().println("edlink-idem: no pending entries to reconcile");
            }
            return ExitCode.OK;
          }
          String token = root.settings().token(tokenFile);
          Set<String> wanted = new LinkedHashSet<>();
          for (EntrySummary s : targets) {
            if (Destination.sameOrigin(URI.create(s.url()), base)) {
              wanted.add(s.key());
            } else {
              skipped++;
              line(
                  Line.skipped(
                      s.key(),
                      "journaled for "
                          + Destination.origin(URI.create(s.url()))
                          + ", not the base URL; reconcile with --base-url set to it"));
            }
          }
          // Nothing older than the log's 30 days is there to read; reading on would only meet
          // records being erased.
          Instant oldestTarget =
              targets.stream()
                  .map(EntrySummary::created)
                  .min(Comparator.naturalOrder())
                  .orElseThrow()
                  .minus(Window.SKEW_MARGIN);
          Instant logStart = now.minus(Window.LENGTH);
          Instant since = oldestTarget.isBefore(logStart) ? logStart : oldestTarget;
          Map<String, List<RequestLog.Logged>> found = read(base, token, wanted, since);
          for (String key : wanted) {
            settle(journal, key, found.getOrDefault(key, List.of()), now);
          }
          if (!root.style().quiet()) {
            root.invocation()
                .err()
                .println(
                    "edlink-idem: reconcile: "
                        + resolved
                        + " resolved, "
                        + (arrived > 0 ? arrived + " received with an outcome not known, " : "")
                        + notFound
                        + " not in Edlink's request log, "
                        + skipped
                        + " skipped");
          }
          return unreadable > 0 ? ExitCode.INTERNAL : ExitCode.OK;
        });
  }

  private List<EntrySummary> targets(Journal journal) throws JournalException {
    if (allPending) {
      return journal.summaries(
          Selection.all(Selection.Order.OLDEST_FIRST).inState(EntryState.PENDING));
    }
    List<EntrySummary> chosen = new ArrayList<>();
    for (String given : keys) {
      String key = KeyResolver.resolve(journal, given);
      // From its summary, as list shows it: a finished entry whose records are damaged since is
      // still finished, and has nothing to reconcile.
      EntrySummary s =
          journal.summariesStartingWith(key).stream()
              .filter(x -> x.key().equals(key))
              .findFirst()
              .orElseThrow(
                  () ->
                      new JournalException(
                          "the entry of " + key + " was removed while reconcile read it"));
      if (s.state() == EntryState.PENDING) {
        chosen.add(s);
      } else {
        line(
            new Line(
                key,
                s.state().label(),
                s.status(),
                null,
                null,
                "already final (learned by " + s.via() + "); nothing to reconcile"));
      }
    }
    return chosen;
  }

  private Map<String, List<RequestLog.Logged>> read(
      URI base, String token, Set<String> wanted, Instant since) {
    if (wanted.isEmpty()) {
      return Map.of();
    }
    Network network = root.settings().network();
    network.proxyFor(base); // plain http through a proxy is refused here, with the token unsent
    RequestLog log =
        new RequestLog(
            network.client(timeout, Network.usesTls(base.toString())),
            network,
            base,
            token,
            timeout);
    // On a terminal, one line that counts pages as they come; nothing in a log file or a pipe.
    ProgressLine progress = ProgressLine.on(root);
    try {
      return log.find(
          wanted,
          since,
          (pages, requests, keysFound) ->
              progress.draw(
                  "edlink-idem: reading the request log: page "
                      + pages
                      + ", "
                      + requests
                      + " requests, "
                      + keysFound
                      + " of "
                      + wanted.size()
                      + (wanted.size() == 1 ? " key" : " keys")
                      + " found"));
    } catch (RequestLog.Unreadable e) {
      Verdict verdict =
          Verdict.logUnreadable(e.tokenRefused(), e.queryRefused(), e.status(), e.getMessage());
      throw new CliException(
          verdict.exit(), verdict.message(Verdict.Audience.NO_KEY, Verdict.Paint.NONE));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCode.INTERRUPTED, "interrupted; nothing was changed");
    } finally {
      progress.end();
    }
  }

  /** Records what the log says of one key, under its lease. */
  private void settle(Journal journal, String key, List<RequestLog.Logged> logged, Instant now)
      throws JournalException {
    try (Journal.Lease lease = journal.lease(key)) {
      Optional<Entry> current = lease.entry();
      if (current.isEmpty()) {
        Journal.KeyRead read = journal.read(key);
        if (read.damaged()) {
          // Listed as pending, its records damaged: nothing can be recorded of it.
          unreadable++;
          skipped++;
          line(
              Line.skipped(
                  key, KeyResolver.unreadable(key, read.problems()) + "; nothing was recorded"));
          return;
        }
      }
      if (current.isEmpty() || current.get().state() != EntryState.PENDING) {
        skipped++;
        line(Line.skipped(key, "no longer pending"));
        return;
      }
      Entry entry = current.get();
      Optional<LogVerdict> found = LogVerdict.of(entry, logged);
      Optional<RequestLog.Logged> undecided =
          found.isPresent() ? Optional.empty() : LogVerdict.undecided(entry, logged);
      Verdict verdict;
      if (found.isPresent()) {
        RequestLog.Logged l = found.get().logged();
        Outcome outcome = found.get().outcome(root.invocation().time().now());
        lease.recordOutcome(outcome);
        resolved++;
        entry = entry.withOutcome(outcome);
        verdict = Verdict.reconciled(entry, whereLogged(l), now);
      } else if (undecided.isPresent()) {
        RequestLog.Logged l = undecided.get();
        arrived++;
        verdict =
            Verdict.loggedUndecided(
                entry, whereLogged(l) + " and answered " + l.status() + answerErrors(l), now);
      } else {
        notFound++;
        verdict = Verdict.reconciled(entry, null, now);
      }
      Optional<RequestLog.Logged> record = found.map(LogVerdict::logged).or(() -> undecided);
      String words =
          verdict.message(
              new Verdict.Audience.ForKey(
                  CommandText.replay(root.settings().flags(), key, List.of())),
              Verdict.Paint.NONE);
      line(
          new Line(
              key,
              entry.state().label(),
              record.map(RequestLog.Logged::status).orElse(0),
              found.isPresent() ? "answered" : undecided.isPresent() ? "undecided" : "absent",
              record.orElse(null),
              words));
    } catch (KeyInFlightException e) {
      skipped++;
      line(Line.skipped(key, "in flight in another process; reconcile it when that is done"));
    }
  }

  /**
   * What reconcile says of one key: a tab-separated line, or with --format json an object.
   *
   * @param state the entry's state after, or "skipped"
   * @param status the status the log (or, for an entry already final, the journal) gave; 0 for none
   * @param log what the request log said: answered, undecided, absent; null when it was not asked
   * @param logged the request log's record of the key, when it had one
   */
  private record Line(
      String key, String state, int status, String log, RequestLog.Logged logged, String note) {
    static Line skipped(String key, String why) {
      return new Line(key, "skipped", 0, null, null, why);
    }
  }

  private void line(Line l) {
    if (!format.json()) {
      PrintWriter out = root.invocation().out();
      String status = l.status() == 0 ? "-" : String.valueOf(l.status());
      out.println(l.key() + "\t" + l.state() + "\t" + status + "\t" + l.note());
      out.flush();
      return;
    }
    JsonObject o = new JsonObject();
    o.addProperty("key", l.key());
    o.addProperty("state", l.state());
    o.addProperty("status", l.status() == 0 ? null : l.status());
    o.addProperty("log", l.log());
    RequestLog.Logged logged = l.logged();
    o.addProperty(
        "logged_at", logged == null || logged.date() == null ? null : logged.date().toString());
    o.addProperty("request_id", logged == null ? null : logged.requestId());
    o.addProperty("note", l.note());
    JsonDocument.print(root, o);
  }

  /** " on DATE (request ID)", as much of it as the log gave. */
  private static String whereLogged(RequestLog.Logged l) {
    return (l.date() != null ? " on " + TimeText.precise(l.date()) : "")
        + (l.requestId() != null ? " (request " + l.requestId() + ")" : "");
  }

  private static String answerErrors(RequestLog.Logged l) {
    Envelope envelope =
        l.output() == null
            ? Envelope.EMPTY
            : Envelope.of(l.output().getBytes(StandardCharsets.UTF_8));
    return envelope.errors().isEmpty() ? "" : " " + envelope.errorLine();
  }
}
