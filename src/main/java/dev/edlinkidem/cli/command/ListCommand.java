package dev.edlinkidem.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.cli.render.Table;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
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
    Predicate<EntrySummary> wanted = filter(now);
    PrintWriter out = root.invocation().out();
    if (format == Format.JSON || format == Format.JSONL) {
      List<Entry> entries = JournalAccess.with(root, journal -> journal.entries());
      List<Entry> chosen =
          newestFirst(
              entries.stream().filter(e -> wanted.test(EntrySummary.of(e))).toList(),
              e -> e.created(),
              Entry::key);
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
    List<EntrySummary> summaries = JournalAccess.with(root, journal -> journal.summaries());
    List<EntrySummary> chosen =
        newestFirst(
            summaries.stream().filter(wanted).toList(), EntrySummary::created, EntrySummary::key);
    switch (format) {
      case KEYS -> chosen.forEach(s -> out.println(s.key()));
      case CSV -> {
        out.println(CSV_HEADER);
        for (EntrySummary s : chosen) {
          JsonObject h = EntryJson.head(s, now);
          List<String> cells = new ArrayList<>();
          for (String field : CSV_HEADER.split(",")) {
            cells.add(h.get(field).isJsonNull() ? "" : csv(h.get(field).getAsString()));
          }
          out.println(String.join(",", cells));
        }
      }
      default -> table(chosen, summaries, now);
    }
    out.flush();
    return ExitCode.OK;
  }

  private Predicate<EntrySummary> filter(Instant now) {
    Predicate<EntrySummary> p =
        s -> state == StateFilter.ALL || s.state() == EntryState.valueOf(state.name());
    if (expiringWithin != null) {
      p = p.and(s -> s.window().endsWithin(now, expiringWithin));
    }
    if (pathPrefix != null) {
      p = p.and(s -> EntryJson.pathOf(s.url()).startsWith(pathPrefix));
    }
    return p;
  }

  private <T> List<T> newestFirst(
      List<T> items, Function<T, Instant> created, Function<T, String> key) {
    List<T> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparing(created).reversed().thenComparing(key));
    return limit == null || sorted.size() <= limit ? sorted : sorted.subList(0, limit);
  }

  private void table(List<EntrySummary> chosen, List<EntrySummary> summaries, Instant now) {
    Invocation invocation = root.invocation();
    if (chosen.isEmpty()) {
      if (!root.style().quiet()) {
        invocation.err().println("edlink-idem: no entries match");
      }
      return;
    }
    boolean colour = root.style().colorFor(invocation.terminal().stdout());
    Table table = new Table("KEY", "STATE", "STATUS", "TRIES", "CREATED (UTC)", "LEFT", "PATH");
    for (EntrySummary s : chosen) {
      table.add(
          colour ? Style.colour(s.state()) : null,
          s.key(),
          s.state().label(),
          s.status() == 0 ? "-" : String.valueOf(s.status()),
          String.valueOf(s.attempts()),
          TimeText.when(s.created()).replace(" UTC", ""),
          TimeText.left(s.window().remaining(now)),
          s.method().equals("POST")
              ? EntryJson.pathOf(s.url())
              : s.method() + " " + EntryJson.pathOf(s.url()));
    }
    table.print(
        invocation.out(),
        wide ? 0 : invocation.columns(),
        Table.uniqueKeyWidth(
            chosen.stream().map(EntrySummary::key).toList(),
            summaries.stream().map(EntrySummary::key).toList()));
  }

  static String csv(String value) {
    return value.matches("[^\",\\r\\n]*") ? value : "\"" + value.replace("\"", "\"\"") + "\"";
  }
}
