package dev.edlinkidem.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.ReportFormat;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.config.Unreadable;
import dev.edlinkidem.journal.Compaction;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Problem;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.postgres.PostgresJournal;
import dev.edlinkidem.journal.postgres.PostgresTarget;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code journal}: operations on the journal as a whole. */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description = "Operations on the journal as a whole.",
    subcommands = {JournalCommand.Merge.class, JournalCommand.Migrate.class},
    footerHeading = "%nExamples:%n",
    footer = "  edlink-idem journal merge ./artifacts/job-2/journal",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = "2:no subcommand given (with one, the subcommand's exit code)")
public final class JournalCommand implements Runnable {
  @ParentCommand EdlinkIdem root;

  @Override
  public void run() {
    throw CliException.usage(
        "a journal command is needed: merge or migrate (see 'edlink-idem journal --help')");
  }

  /** Keys a prune or merge left alone, each as {"key", "reason"}. */
  static JsonArray skippedJson(List<Compaction.Skipped> skipped) {
    JsonArray a = new JsonArray();
    for (Compaction.Skipped s : skipped) {
      JsonObject o = new JsonObject();
      o.addProperty("key", s.key());
      o.addProperty("reason", s.reason());
      a.add(o);
    }
    return a;
  }

  /** {@code journal merge SOURCE}: bring in another machine's entries. */
  @Command(
      name = "merge",
      mixinStandardHelpOptions = true,
      description =
          "Bring entries from another journal into this one: a journal directory (a parallel CI"
              + " job's artifact), a 'list --format jsonl' export, or a PostgreSQL journal"
              + " (postgres://USER@HOST:PORT/DB). A new key is added; the same"
              + " key for the same request folds the attempts together; the same key for a"
              + " different request is reported and left untouched. All or nothing: the change is"
              + " staged and committed as one (docs/journal-format.md).",
      footerHeading = "%nExamples:%n",
      footer = {
        "  edlink-idem journal merge ./artifacts/job-2/journal",
        "  edlink-idem --journal other list --format jsonl > other.jsonl && edlink-idem journal"
            + " merge other.jsonl"
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:merged",
        "1:journal not writable",
        "2:unreadable SOURCE or a bad line (nothing merged)",
        "3:some keys were left untouched (a different request, or in flight)",
        "130:interrupted; nothing was merged"
      })
  static final class Merge implements Callable<Integer> {
    @ParentCommand private JournalCommand parent;

    @Parameters(
        paramLabel = "SOURCE",
        description =
            "A journal directory, a file of whole entries (list --format jsonl), or a PostgreSQL"
                + " journal's postgres:// URL.")
    private String given;

    /** The source as a path, when it is no PostgreSQL journal. */
    private Path source;

    @Option(names = "--dry-run", description = "Say what would change; change nothing.")
    private boolean dryRun;

    @Mixin private ReportFormat format;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      List<Entry> incoming;
      if (PostgresTarget.isOne(given)) {
        incoming = readPostgres(root, PostgresTarget.parse(given, "SOURCE"));
        source = null;
      } else {
        source = Path.of(root.settings().expandHome(given));
        incoming = read(root);
      }
      String shown =
          source != null ? source.toString() : PostgresTarget.parse(given, "SOURCE").shown();
      PrintWriter out = root.invocation().out();
      return JournalAccess.with(
          root,
          journal -> {
            Set<String> here = new HashSet<>();
            journal.keys(Selection.all(Selection.Order.NEWEST_FIRST), here::add);
            Compaction c = journal.merge(incoming, dryRun);
            List<String> added = c.changed().stream().filter(k -> !here.contains(k)).toList();
            List<String> folded = c.changed().stream().filter(here::contains).toList();
            int unchanged = incoming.size() - c.changed().size() - c.skipped().size();
            int code = c.skipped().isEmpty() ? ExitCode.OK : ExitCode.REFUSED;
            // Exit 3 says why on stderr in either format.
            c.skipped()
                .forEach(
                    s ->
                        root.invocation()
                            .err()
                            .println("edlink-idem: left " + s.key() + " untouched: " + s.reason()));
            if (format.json()) {
              JsonObject o = new JsonObject();
              o.addProperty("dry_run", dryRun);
              o.addProperty("source", shown);
              o.addProperty("entries", incoming.size());
              o.add("added", JsonDocument.strings(added));
              o.add("folded", JsonDocument.strings(folded));
              o.add("untouched", skippedJson(c.skipped()));
              o.addProperty("unchanged", unchanged);
              JsonDocument.print(root, o);
              return code;
            }
            out.println(
                (dryRun ? "would merge " : "merged ")
                    + incoming.size()
                    + " entries from "
                    + shown
                    + ": "
                    + added.size()
                    + " added, "
                    + folded.size()
                    + " folded together, "
                    + c.skipped().size()
                    + " left untouched, "
                    + unchanged
                    + " already here as they are");
            out.flush();
            return code;
          });
    }

    /** Says, unless -q, that the source's unreadable records are not merged. */
    private static void warnUnreadable(EdlinkIdem root, String where, List<Problem> problems) {
      if (!problems.isEmpty() && !root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: warning: "
                    + where
                    + " has "
                    + problems.size()
                    + " unreadable records, not merged: "
                    + problems.get(0));
      }
    }

    /** The entries of a PostgreSQL journal that must be there, and must not be this one. */
    private List<Entry> readPostgres(EdlinkIdem root, PostgresTarget target) {
      String here = root.settings().journalSetting().value();
      if (PostgresTarget.isOne(here)
          && PostgresTarget.parse(here, "the journal").shown().equals(target.shown())) {
        throw CliException.usage(target.shown() + " is this journal");
      }
      try (Journal other =
          JournalAccess.openPostgres(
              target, root.settings(), root.invocation().environment(), false)) {
        List<Entry> entries = other.entries();
        warnUnreadable(root, target.shown(), other.problems());
        return entries;
      } catch (JournalException e) {
        throw CliException.usage(e.getMessage() + "; nothing was merged");
      }
    }

    private List<Entry> read(EdlinkIdem root) {
      if (Files.isDirectory(source)) {
        if (!PostgresTarget.isOne(root.settings().journalSetting().value())
            && source
                .toAbsolutePath()
                .normalize()
                .equals(root.settings().journalDir().toAbsolutePath().normalize())) {
          throw CliException.usage(source + " is this journal");
        }
        try (FileJournal other = FileJournal.openToRead(source)) {
          List<Entry> entries = other.entries();
          warnUnreadable(root, source.toString(), other.problems());
          return entries;
        } catch (JournalException e) {
          throw CliException.usage(e.getMessage() + "; nothing was merged");
        }
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(source, StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        throw CliException.usage(
            "cannot read "
                + source
                + ": "
                + Unreadable.why(
                    e instanceof IOException io ? io : ((UncheckedIOException) e).getCause()));
      }
      List<Entry> entries = new ArrayList<>();
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).isBlank()) {
          continue;
        }
        try {
          entries.add(EntryJson.parse(lines.get(i)));
        } catch (IllegalArgumentException e) {
          throw CliException.usage(
              source
                  + " line "
                  + (i + 1)
                  + " is not a whole entry: "
                  + e.getMessage()
                  + "; nothing was merged");
        }
      }
      return entries;
    }
  }

  /** {@code journal migrate}: make or update a PostgreSQL journal's tables. */
  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description =
          "Make a PostgreSQL journal's tables, or bring them to this edlink-idem's version"
              + " (docs/journal-format.md). Every command does it on first use; run this once,"
              + " as a role that may create tables, where the others may not. A directory"
              + " journal needs nothing: each command keeps it up to date.",
      footerHeading = "%nExamples:%n",
      footer = {"  edlink-idem --journal postgres://ci_admin@db.corp:5432/edlink journal migrate"},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:up to date",
        "1:the database could not be reached or changed",
        "2:bad journal setting, or a database newer than this edlink-idem"
      })
  static final class Migrate implements Callable<Integer> {
    @ParentCommand private JournalCommand parent;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      Settings.Setting where = root.settings().journalSetting();
      PrintWriter out = root.invocation().out();
      if (!PostgresTarget.isOne(where.value())) {
        out.println(where.value() + ": a directory journal, kept up to date by every command");
        return ExitCode.OK;
      }
      PostgresTarget target = PostgresTarget.parse(where.value(), where.source());
      try (PostgresJournal journal =
          JournalAccess.openPostgres(
              target, root.settings(), root.invocation().environment(), true)) {
        int had = journal.versionFound();
        int now = PostgresJournal.schemaVersion();
        out.println(
            target.shown()
                + (had == now
                    ? ": schema version " + now + ", up to date"
                    : ": schema version " + had + " -> " + now));
        return ExitCode.OK;
      } catch (JournalException e) {
        throw new CliException(ExitCode.INTERNAL, e.getMessage(), e);
      }
    }
  }
}
