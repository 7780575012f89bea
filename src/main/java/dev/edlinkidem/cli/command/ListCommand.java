package dev.edlinkidem.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.cli.render.Table;
import dev.edlinkidem.journal.Entry;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code list}: the journal's entries, newest first, as a table or in a format for scripts. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description =
        "List journal entries, newest first: key, state, HTTP status, attempts, when created, "
            + "time left in the "
            + Window.NAME
            + ", and path.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem list --state pending",
      "  edlink-idem list --expiring-within 3d --format csv > expiring.csv",
      "  edlink-idem list --format jsonl > journal-export.jsonl   (whole entries; journal merge"
          + " reads them)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed (also when nothing matched)", "1:journal unreadable", "2:bad option"})
public final class ListCommand implements Callable<Integer> {
  /** Which states to list. */
  enum StateFilter {
    PENDING,
    SUCCEEDED,
    FAILED,
    ALL
  }

  /** Output formats. */
  enum Format {
    TABLE,
    JSON,
    JSONL,
    CSV,
    KEYS
  }

  static final String CSV_HEADER =
      "key,state,expired,status,attempts,created,window_ends,replay_until,method,path";

  @ParentCommand private EdlinkIdem root;

  @Option(
      names = "--state",
      paramLabel = "STATE",
      defaultValue = "all",
      description = "pending, succeeded, failed or all (default: ${DEFAULT-VALUE}).")
  private StateFilter state;

  @Option(
      names = "--expiring-within",
      paramLabel = "DUR",
      converter = Durations.class,
      description =
          "Only entries whose " + Window.NAME + " ends within DUR (and has not ended yet).")
  private Duration expiringWithin;

  @Option(
      names = "--path-prefix",
      paramLabel = "PREFIX",
      description = "Only entries whose path starts with PREFIX.")
  private String pathPrefix;

  @Option(
      names = "--wide",
      description = "Print every column whole, however wide the terminal (table format).")
  private boolean wide;

  @Option(names = "--limit", paramLabel = "N", description = "At most N entries (the newest).")
  private Integer limit;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "table",
      description =
          "table, keys (one a line), csv, json or jsonl (default: ${DEFAULT-VALUE}); csv and"
              + " json/jsonl have stable fields (docs/output-formats.md).")
  private Format format;

  /**
   * What the completion scripts run on Tab: the keys that start with PREFIX, read the quick way
   * ({@link dev.edlinkidem.journal.Journal#keysToOffer}). Hidden: a script wants {@code --format
   * keys}, which checks every entry.
   */
  @Option(names = "--completing", paramLabel = "PREFIX", hidden = true)
  private String completing;

  @Override
  public Integer call() {
    if (completing != null) {
      if (state != StateFilter.ALL && state != StateFilter.PENDING) {
        throw CliException.usage("--completing offers all keys or pending ones");
      }
      if (limit != null
          || expiringWithin != null
          || pathPrefix != null
          || wide
          || (format != Format.KEYS && format != Format.TABLE)) {
        throw CliException.usage(
            "--completing is what Tab runs, and takes no list option but --state and --format"
                + " keys");
      }
      // The word as typed: a quote or backslash before a key's characters is the shell's (a key
      // holds none), so a started 'pe or pend\- still finds pend-1.
      String prefix = completing.replaceAll("[\\\\'\"]", "");
      List<String> keys =
          JournalAccess.with(
              root, journal -> journal.keysToOffer(prefix, state == StateFilter.PENDING));
      PrintWriter out = root.invocation().out();
      keys.forEach(out::println);
      out.flush();
      return ExitCode.OK;
    }
    if (limit != null && limit < 1) {
      throw CliException.usage("--limit must be 1 or more, not " + limit);
    }
    Instant now = root.invocation().now();
    // The journal picks by state and window, and stops at the limit unless a path must be looked
    // at first.
    Selection selection =
        Selection.all(Selection.Order.NEWEST_FIRST)
            .inState(state == StateFilter.ALL ? null : EntryState.valueOf(state.name()))
            .createdIn(
                expiringWithin == null ? null : Window.startsEndingWithin(now, expiringWithin))
            .first(limit == null || pathPrefix != null ? Selection.NO_LIMIT : limit);
    Predicate<EntrySummary> onPath =
        s -> pathPrefix == null || EntryJson.pathOf(s.url()).startsWith(pathPrefix);
    Predicate<EntrySummary> wanted = onPath.and(selection::picks);
    PrintWriter out = root.invocation().out();
    if (format == Format.JSON || format == Format.JSONL) {
      List<Entry> entries = JournalAccess.with(root, journal -> journal.entries());
      List<Entry> chosen =
          limited(
              entries.stream()
                  .filter(e -> wanted.test(EntrySummary.of(e)))
                  .sorted(Comparator.comparing(Entry::created).reversed().thenComparing(Entry::key))
                  .toList());
      if (format == Format.JSONL) {
        chosen.forEach(e -> out.println(EntryJson.full(e, now)));
      } else {
        JsonArray array = new JsonArray();
        chosen.forEach(e -> array.add(EntryJson.full(e, now)));
        JsonDocument.print(root, array);
      }
      out.flush();
      return ExitCode.OK;
    }
    if (format == Format.KEYS && pathPrefix == null) {
      JournalAccess.with(
          root,
          journal -> {
            journal.keys(selection, key -> line(out, key));
            return null;
          });
      out.flush();
      return ExitCode.OK;
    }
    int columns = wide ? 0 : root.invocation().columns();
    Listing listing =
        JournalAccess.with(
            root,
            journal -> {
              List<EntrySummary> chosen =
                  limited(journal.summaries(selection).stream().filter(onPath).toList());
              if (format != Format.TABLE || chosen.isEmpty()) {
                return new Listing(chosen, null, 0);
              }
              Table table = table(chosen, now);
              // Keys are cut to a prefix that stays unique only when the table is too wide.
              int keyFloor = 0;
              if (table.shortensKeys(columns)) {
                List<String> keys = chosen.stream().map(EntrySummary::key).toList();
                keyFloor =
                    Table.uniqueKeyWidth(
                        keys, journal.neighboursSharing(keys, Table.SHARED_PAST_FLOOR));
              }
              return new Listing(chosen, table, keyFloor);
            });
    List<EntrySummary> chosen = listing.chosen();
    switch (format) {
      case KEYS -> chosen.forEach(s -> line(out, s.key()));
      case CSV -> {
        out.println(CSV_HEADER);
        for (EntrySummary s : chosen) {
          JsonObject h = EntryJson.head(s, now);
          List<String> cells = new ArrayList<>();
          for (String field : CSV_HEADER.split(",")) {
            cells.add(h.get(field).isJsonNull() ? "" : csv(h.get(field).getAsString()));
          }
          line(out, String.join(",", cells));
        }
      }
      default -> {
        if (chosen.isEmpty()) {
          if (!root.style().quiet()) {
            root.invocation().err().println("edlink-idem: no entries match");
          }
        } else {
          listing.table().print(out, columns, listing.keyFloor());
        }
      }
    }
    out.flush();
    return ExitCode.OK;
  }

  /**
   * A line as println writes it, without the flush println makes on {@code out}: a million of them
   * would be a million writes.
   */
  private static void line(PrintWriter out, String text) {
    out.print(text);
    out.print(System.lineSeparator());
  }

  /** What the journal gave, with the table made of it while the journal was open. */
  private record Listing(List<EntrySummary> chosen, Table table, int keyFloor) {}

  /** The first {@code --limit} of {@code items}, which are newest first. */
  private <T> List<T> limited(List<T> items) {
    return limit == null || items.size() <= limit ? items : items.subList(0, limit);
  }

  private Table table(List<EntrySummary> chosen, Instant now) {
    boolean colour = root.style().colorFor(root.invocation().terminal().stdout());
    Table table = new Table("KEY", "STATE", "STATUS", "TRIES", "CREATED (UTC)", "LEFT", "PATH");
    Map<String, String> paths = new HashMap<>(); // a journal's URLs are few; its entries may not be
    TimeText.ByMinute created = new TimeText.ByMinute(t -> TimeText.when(t).replace(" UTC", ""));
    TimeText.Lefts lefts = new TimeText.Lefts();
    for (EntrySummary s : chosen) {
      table.add(
          colour ? Style.colour(s.state()) : null,
          s.key(),
          s.state().label(),
          s.status() == 0 ? "-" : String.valueOf(s.status()),
          String.valueOf(s.attempts()),
          created.of(s.created()),
          lefts.of(s.window().remaining(now)),
          s.method().equals("POST")
              ? paths.computeIfAbsent(s.url(), EntryJson::pathOf)
              : s.method() + " " + paths.computeIfAbsent(s.url(), EntryJson::pathOf));
    }
    return table;
  }

  static String csv(String value) {
    return value.matches("[^\",\\r\\n]*") ? value : "\"" + value.replace("\"", "\"\"") + "\"";
  }
}
