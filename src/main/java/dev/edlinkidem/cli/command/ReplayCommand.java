package dev.edlinkidem.cli.command;

import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.option.OutputOptions;
import dev.edlinkidem.cli.option.SendOptions;
import dev.edlinkidem.cli.render.ResultPrinter;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.request.InvalidRequestException;
import dev.edlinkidem.send.KeySettler;
import dev.edlinkidem.send.Settlement;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code replay}: send journaled pending requests again, with their original key and bytes. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description =
        "Send pending requests again with their original key, method, URL and bytes. A finished"
            + " (succeeded or failed) entry is not re-sent: its recorded response is printed. A"
            + " pending entry whose "
            + Window.NAME
            + " has ended (less an hour for clock skew) is"
            + " refused. With several keys, the exit code is the most serious one.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem replay 7Hq2xZ             (a unique prefix of at least "
          + KeyResolver.MIN_PREFIX
          + " characters)",
      "  edlink-idem replay --all-pending --yes"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  0:all resolved",
      "  1:internal error, or the journal could not be read or written",
      "  2:bad input",
      "  3:refused",
      "  4:the request refused for good, or the token refused",
      "  5:Edlink still failing (INTERNAL, UNKNOWN, 5xx, 429...)",
      "  6:still no response",
      "130:interrupted or not confirmed"
    })
public final class ReplayCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Parameters(
      paramLabel = "KEY",
      arity = "0..*",
      description =
          "Keys, or unique prefixes of at least " + KeyResolver.MIN_PREFIX + " characters.")
  private List<String> keys = new ArrayList<>();

  @Option(
      names = "--all-pending",
      description = "Replay every pending entry still inside its window.")
  private boolean allPending;

  @Option(
      names = {"-y", "--yes"},
      description = "Do not ask for confirmation on a terminal.")
  private boolean yes;

  @Mixin private SendOptions send;

  @Mixin private OutputOptions output;

  private int resolved;
  private int stillPending;
  private int refused;

  /**
   * What --all-pending found pending but could not read, with the unreadable records its read met:
   * none of them is sent.
   */
  private final Map<String, List<Problem>> unreadable = new LinkedHashMap<>();

  /**
   * The unreadable records met by every read of this replay: a file journal's {@link
   * Journal#problems} are those of its last read alone.
   */
  private final Set<Problem> met = new LinkedHashSet<>();

  @Override
  public Integer call() {
    if (keys.isEmpty() && !allPending) {
      throw CliException.usage("name the keys to replay, or use --all-pending");
    }
    if (!keys.isEmpty() && allPending) {
      throw CliException.usage("give keys or --all-pending, not both");
    }
    send.policy(root);
    Invocation invocation = root.invocation();
    invocation.now(); // a malformed EDLINK_IDEM_NOW is a usage error before anything else
    try (Journal journal = JournalAccess.open(root.settings(), root.invocation().environment())) {
      List<Entry> chosen;
      try {
        chosen = allPending ? pendingOf(journal) : resolve(journal);
      } finally {
        // Also when a key's records could not be read.
        met.addAll(journal.problems());
        KeyRunner.reportProblems(root, List.copyOf(met));
      }
      unreadable.forEach(
          (key, problems) ->
              keyLine(key, "unreadable", KeyResolver.unreadable(key, problems) + "; not sent"));
      if (chosen.isEmpty()) {
        if (refused > 0 || !unreadable.isEmpty()) {
          invocation
              .err()
              .println(
                  "edlink-idem: replay: 0 resolved, 0 still pending, "
                      + refused
                      + " refused"
                      + (refused > 0
                          ? " (their windows have ended; post them with new keys if they never"
                              + " arrived)"
                          : "")
                      + unreadableCount());
          return unreadable.isEmpty() ? ExitCode.REFUSED : ExitCode.INTERNAL;
        }
        if (!root.style().quiet()) {
          invocation
              .err()
              .println("edlink-idem: no pending entries to replay in " + journal.location());
        }
        return ExitCode.OK;
      }
      boolean sends = chosen.stream().anyMatch(e -> e.state() == EntryState.PENDING);
      if (allPending && !confirmed(chosen.size())) {
        invocation.err().println("edlink-idem: replay cancelled; nothing was sent");
        return ExitCode.INTERRUPTED;
      }
      // Plain http through a proxy, or a CA file that cannot be used, refuses the whole replay
      // before any key is sent.
      boolean tls = false;
      for (Entry entry : chosen) {
        if (entry.state() == EntryState.PENDING) {
          send.routed(root, entry.request().url());
          tls |= Network.usesTls(entry.request().url());
        }
      }
      send.checkCas(root, tls);
      // After the question: a user client with no token yet gets one by refreshing.
      Bearer token = sends ? send.bearer(root) : null;
      return replayAll(journal, chosen, token, tls);
    } catch (JournalException e) {
      // Before any key was sent: replayAll reports its own journal failures.
      throw new CliException(ExitCode.INTERNAL, e.getMessage() + "; nothing was sent", e);
    }
  }

  /**
   * @param tls whether any entry to send is https
   */
  private int replayAll(Journal journal, List<Entry> chosen, Bearer token, boolean tls) {
    Invocation invocation = root.invocation();
    boolean single = !allPending && chosen.size() == 1;
    boolean progress = !single && invocation.terminal().stderr() && !root.style().quiet();
    boolean json = output.format() == OutputOptions.Format.JSON;
    // With several keys stdout gets a line per key (or a JSON object per key), not bodies.
    ResultPrinter printer = new ResultPrinter(root, output, single || json, send.replayArgs());
    KeyRunner runner =
        new KeyRunner(
            root,
            printer,
            send.policy(root).attempts(),
            listener -> send.sender(root, token, listener, tls));
    int code = refused > 0 ? ExitCode.REFUSED : ExitCode.OK;
    if (!unreadable.isEmpty()) {
      code = ExitCode.INTERNAL; // reported above: pending, and not sent
    }
    Instant now = invocation.now();
    int n = 0;
    for (Entry candidate : chosen) {
      n++;
      if (progress) {
        invocation
            .err()
            .println("edlink-idem: [" + n + "/" + chosen.size() + "] " + candidate.key());
      }
      Verdict verdict;
      runner.alreadyJournaled(candidate.key());
      try (Journal.Lease lease = journal.lease(candidate.key())) {
        Entry entry = runner.entryOf(lease).orElse(candidate);
        Settlement settlement = KeySettler.settle(entry.key(), Optional.of(entry), null, now);
        if (settlement.kind().sends()) {
          // The token goes where the request went first; that must still be the base URL's host.
          Destination.checkOrigin(
              URI.create(entry.request().url()), root.settings().baseUrl(), send.allowedHosts());
        }
        verdict =
            settlement.kind().sends()
                ? runner.send(lease, entry, settlement.via())
                : Verdict.of(settlement);
      } catch (KeyInFlightException e) {
        verdict = Verdict.inFlight(e);
      } catch (InvalidRequestException e) {
        if (single) {
          throw e;
        }
        refused++;
        refusedLine(candidate.key(), e.getMessage());
        code = ExitCode.mostSerious(code, ExitCode.USAGE);
        continue;
      } catch (JournalException e) {
        // Reading this key, or letting it go after sending it: the runner knows which it was.
        throw runner.journalFailed(candidate.key(), e);
      }
      int one;
      if (verdict.exit() == ExitCode.REFUSED && !single) {
        refused++;
        refusedLine(candidate.key(), printer.message(verdict));
        one = verdict.exit();
      } else {
        one = printer.print(verdict);
        if (verdict.exit() == ExitCode.REFUSED) {
          refused++;
        } else {
          count(verdict.entry().state() == EntryState.PENDING ? 0 : 1);
          report(single, verdict.entry(), one);
        }
      }
      code = ExitCode.mostSerious(code, one);
    }
    if (!single && !root.style().quiet()) {
      invocation
          .err()
          .println(
              "edlink-idem: replay: "
                  + resolved
                  + " resolved, "
                  + stillPending
                  + " still pending, "
                  + refused
                  + " refused"
                  + unreadableCount());
    }
    return code;
  }

  /** The summary's count of pending entries that could not be read, when there are any. */
  private String unreadableCount() {
    return unreadable.isEmpty() ? "" : ", " + unreadable.size() + " unreadable (not sent)";
  }

  private void count(int finished) {
    if (finished == 1) {
      resolved++;
    } else {
      stillPending++;
    }
  }

  /** With several keys, stdout gets one line per key instead of bodies. */
  private void report(boolean single, Entry after, int code) {
    if (single || output.format() == OutputOptions.Format.JSON) {
      return;
    }
    PrintWriter out = root.invocation().out();
    int last = EntrySummary.of(after).status();
    String status = last == 0 ? "-" : String.valueOf(last);
    out.println(after.key() + "\t" + after.state().label() + "\t" + status + "\texit " + code);
    out.flush();
  }

  /** Pending entries inside their window; the others are reported as refused. */
  private List<Entry> pendingOf(Journal journal) throws JournalException {
    Instant now = root.invocation().now();
    ResultPrinter words = new ResultPrinter(root, output, false, send.replayArgs());
    List<Entry> pending = new ArrayList<>();
    // Oldest first, by the journal's index of pending entries where it has one.
    List<EntrySummary> listed =
        journal.summaries(Selection.all(Selection.Order.OLDEST_FIRST).inState(EntryState.PENDING));
    met.addAll(journal.problems());
    for (EntrySummary s : listed) {
      Journal.KeyRead read = journal.read(s.key());
      met.addAll(read.problems());
      Optional<Entry> entry = read.entry();
      if (read.damaged()) {
        unreadable.put(s.key(), read.problems());
      }
      if (entry.isEmpty()) {
        continue; // damaged (above), or removed meanwhile (a prune): nothing to replay
      }
      Settlement settlement = KeySettler.settle(s.key(), entry, null, now);
      if (settlement.kind() == Settlement.Kind.REPLAY_CLOSED) {
        refused++;
        refusedLine(s.key(), words.message(Verdict.of(settlement)));
      } else {
        pending.add(entry.get());
      }
    }
    return pending;
  }

  private void refusedLine(String key, String why) {
    keyLine(key, "refused", why);
  }

  /** A key's line on stdout that was not sent: {@code refused} or {@code unreadable}, and why. */
  private void keyLine(String key, String state, String why) {
    PrintWriter out = root.invocation().out();
    if (output.format() == OutputOptions.Format.JSON) {
      JsonObject o = new JsonObject();
      o.addProperty("key", key);
      o.addProperty("state", state);
      o.addProperty("reason", why);
      out.println(o);
    } else {
      out.println(key + "\t" + state + "\t-\t" + why);
    }
    out.flush();
  }

  /** Each named key, by exact match or unique prefix. */
  private List<Entry> resolve(Journal journal) throws JournalException {
    LinkedHashSet<Entry> chosen = new LinkedHashSet<>();
    for (String key : keys) {
      try {
        chosen.add(KeyResolver.entry(journal, key));
      } finally {
        met.addAll(journal.problems());
      }
    }
    return new ArrayList<>(chosen);
  }

  /** Asks on a terminal unless --yes; never asks (and never waits) when stdin is not a terminal. */
  private boolean confirmed(int count) {
    Invocation invocation = root.invocation();
    if (yes || !invocation.terminal().stdin()) {
      return true;
    }
    invocation
        .err()
        .print(
            "Replay "
                + count
                + " pending request"
                + (count == 1 ? "" : "s")
                + " to "
                + Destination.origin(root.settings().baseUrl())
                + "? [y/N] ");
    invocation.err().flush();
    try {
      String answer =
          new BufferedReader(new InputStreamReader(invocation.stdin(), StandardCharsets.UTF_8))
              .readLine();
      return answer != null && answer.trim().toLowerCase(Locale.ROOT).matches("y|yes");
    } catch (IOException e) {
      return false;
    }
  }
}
