package dev.edlinkidem.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.option.ReportFormat;
import dev.edlinkidem.cli.render.CommandText;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.cli.render.Table;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code expiring}: what is about to leave its 30-day window, written for a CI log or an alert. */
@Command(
    name = "expiring",
    mixinStandardHelpOptions = true,
    description =
        "List entries whose "
            + Window.NAME
            + " ends within DUR, soonest first, with the command that"
            + " resolves each pending one. Edlink forgets a key when its window ends; a pending"
            + " request replayed after that could act twice, so it is refused.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem expiring",
      "  edlink-idem expiring --within 7d --pending-only",
      "  edlink-idem expiring --fail-if-pending     (in a scheduled CI job: exit 7 alerts someone)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:listed",
      "1:journal unreadable",
      "2:bad option",
      "7:--fail-if-pending and pending entries are listed"
    })
public final class ExpiringCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Option(
      names = "--within",
      paramLabel = "DUR",
      defaultValue = "72h",
      converter = Durations.class,
      description = "How far ahead to look (default: ${DEFAULT-VALUE}).")
  private Duration within;

  @Option(
      names = "--pending-only",
      description = "Only pending entries (they are the ones that need a person).")
  private boolean pendingOnly;

  @Option(names = "--fail-if-pending", description = "Exit 7 when any pending entry is listed.")
  private boolean failIfPending;

  @Mixin private ReportFormat format;

  @Override
  public Integer call() {
    Instant now = root.invocation().now();
    Selection selection =
        Selection.all(Selection.Order.OLDEST_FIRST)
            .createdIn(Window.startsEndingWithin(now, within))
            .inState(pendingOnly ? EntryState.PENDING : null);
    int columns = root.invocation().columns();
    Listing listing =
        JournalAccess.with(
            root,
            journal -> {
              List<EntrySummary> soon = new ArrayList<>();
              if (format.json()) {
                journal.summaries(selection, soon::add);
                return new Listing(soon, null, 0);
              }
              Rows rows = new Rows(now);
              journal.summaries(
                  selection,
                  s -> {
                    soon.add(s);
                    rows.add(s);
                  });
              if (soon.isEmpty()) {
                return new Listing(soon, null, 0);
              }
              Table table = rows.table;
              // Keys are cut to a prefix that stays unique only when the table is too wide.
              int keyFloor = 0;
              if (table.shortensKeys(columns)) {
                List<String> keys = soon.stream().map(EntrySummary::key).toList();
                keyFloor =
                    Table.uniqueKeyWidth(
                        keys, journal.neighboursSharing(keys, Table.SHARED_PAST_FLOOR));
              }
              return new Listing(soon, table, keyFloor);
            });
    List<EntrySummary> soon = listing.soon();
    PrintWriter out = root.invocation().out();
    String span = Durations.format(within);
    long pending = soon.stream().filter(s -> s.state() == EntryState.PENDING).count();
    if (format.json()) {
      JsonArray array = new JsonArray();
      for (EntrySummary s : soon) {
        JsonObject o = EntryJson.head(s, now);
        o.addProperty("resolve", s.state() == EntryState.PENDING ? resolve(s, now) : null);
        array.add(o);
      }
      JsonDocument.print(root, array);
      return exitCode(pending);
    }
    if (soon.isEmpty()) {
      out.println(
          "No "
              + (pendingOnly ? "pending " : "")
              + "entries leave their "
              + Window.NAME
              + " within "
              + span
              + " (as of "
              + TimeText.when(now)
              + ").");
      out.flush();
      return ExitCode.OK;
    }
    out.println(
        soon.size()
            + (soon.size() == 1 ? " entry leaves its" : " entries leave their")
            + " "
            + Window.NAME
            + " within "
            + span
            + " (as of "
            + TimeText.when(now)
            + "), "
            + pending
            + " of them pending:");
    out.println();
    listing.table().print(out, columns, listing.keyFloor());
    if (pending > 0) {
      out.println();
      out.println("To resolve the pending ones before Edlink forgets their keys:");
      for (EntrySummary s : soon) {
        if (s.state() != EntryState.PENDING) {
          continue;
        }
        if (s.window().allowsReplay(now)) {
          out.println(
              "  "
                  + resolve(s, now)
                  + "    # before "
                  + TimeText.when(s.window().replayDeadline())
                  + "; or check first, without sending: "
                  + CommandText.reconcile(root.settings().flags(), s.key()));
        } else {
          out.println(
              "  "
                  + resolve(s, now)
                  + "    # replay is refused in the last hour of the window;"
                  + " reconcile says whether Edlink received it");
        }
      }
    }
    out.flush();
    return exitCode(pending);
  }

  /** What the journal gave, with the table made of it while the journal was open. */
  private record Listing(List<EntrySummary> soon, Table table, int keyFloor) {}

  /** The table of summaries, a row made as each is read. */
  private final class Rows {
    final Table table = new Table("KEY", "STATE", "STATUS", "LEFT", "WINDOW ENDS", "PATH");
    private final boolean colour = root.style().colorFor(root.invocation().terminal().stdout());
    private final Instant now;
    // A journal's URLs are few; its entries may not be.
    private final Map<String, String> paths = new HashMap<>();
    private final TimeText.ByMinute ends = new TimeText.ByMinute(TimeText::when);
    private final TimeText.Lefts lefts = new TimeText.Lefts();

    Rows(Instant now) {
      this.now = now;
    }

    void add(EntrySummary s) {
      table.add(
          colour ? Style.colour(s.state()) : null,
          s.key(),
          s.state().label(),
          s.status() == 0 ? "-" : String.valueOf(s.status()),
          lefts.of(s.window().remaining(now)),
          ends.of(s.window().end()),
          paths.computeIfAbsent(s.url(), EntryJson::pathOf));
    }
  }

  /**
   * The command that resolves a pending entry: its replay while the window allows one, else
   * reconcile, which asks Edlink's request log without sending.
   */
  private String resolve(EntrySummary s, Instant now) {
    return s.window().allowsReplay(now)
        ? CommandText.replay(root.settings().flags(), s.key(), List.of())
        : CommandText.reconcile(root.settings().flags(), s.key());
  }

  /** 7 with --fail-if-pending when a pending entry was listed, else 0. */
  private int exitCode(long pending) {
    return failIfPending && pending > 0 ? ExitCode.PENDING_EXPIRING : ExitCode.OK;
  }
}
