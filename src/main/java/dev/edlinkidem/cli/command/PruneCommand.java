package dev.edlinkidem.cli.command;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.option.ReportFormat;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.journal.Compaction;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Tombstone;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code prune}: drop entries whose 30-day window has ended, compacting the journal atomically. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description =
        "Remove entries whose "
            + Window.NAME
            + " has ended and compact the journal. The change is staged"
            + " and committed as one, so a crash during prune leaves the journal as it was or as it"
            + " is after. Pending entries are kept unless --include-pending: they need a person."
            + " Each removed key keeps a small tombstone (its fingerprint and window end), and a"
            + " post or batch line with it is refused as an ended window is, until --tombstones"
            + " forgets it. Never runs by itself.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem prune --dry-run",
      "  edlink-idem prune",
      "  edlink-idem prune --tombstones --dry-run"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:pruned (or nothing to prune)",
      "1:journal unreadable or not writable",
      "2:bad option"
    })
public final class PruneCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Option(names = "--dry-run", description = "Say what would be removed; change nothing.")
  private boolean dryRun;

  @Option(
      names = "--include-pending",
      description = "Also remove pending entries whose window has ended.")
  private boolean includePending;

  @Option(
      names = "--tombstones",
      description =
          "Instead of removing entries, forget the tombstones of keys removed before, so that each"
              + " can be posted again as a new request. Only for keys you mean to act with again.")
  private boolean forgetTombstones;

  @Mixin private ReportFormat format;

  @Override
  public Integer call() {
    if (forgetTombstones && includePending) {
      throw CliException.usage(
          "--tombstones forgets pruned keys and removes no entries; drop" + " --include-pending");
    }
    Instant now = root.invocation().now();
    PrintWriter out = root.invocation().out();
    return JournalAccess.with(
        root,
        journal -> {
          if (forgetTombstones) {
            return forget(journal.forgetTombstones(now, dryRun), out);
          }
          // By the journal's index of window starts where it has one.
          List<EntrySummary> ended =
              journal.summaries(
                  Selection.all(Selection.Order.OLDEST_FIRST).createdIn(Window.startsEndedBy(now)));
          List<EntrySummary> keptPending =
              includePending
                  ? List.of()
                  : ended.stream().filter(s -> s.state() == EntryState.PENDING).toList();
          List<String> keys =
              ended.stream()
                  .filter(s -> includePending || s.state() != EntryState.PENDING)
                  .map(EntrySummary::key)
                  .toList();
          Compaction c = journal.remove(keys, dryRun);
          if (format.json()) {
            JsonObject o = new JsonObject();
            o.addProperty("dry_run", dryRun);
            o.addProperty("as_of", now.toString());
            o.add("removed", JsonDocument.strings(c.changed()));
            o.add(
                "kept_pending",
                JsonDocument.strings(keptPending.stream().map(EntrySummary::key).toList()));
            o.add("skipped", JournalCommand.skippedJson(c.skipped()));
            o.addProperty("bytes_before", c.bytesBefore());
            o.addProperty("bytes_after", c.bytesAfter());
            JsonDocument.print(root, o);
            return ExitCode.OK;
          }
          if (dryRun) {
            c.changed().forEach(key -> out.println("would remove " + key));
          }
          String verb = dryRun ? "would remove " : "removed ";
          out.println(
              verb
                  + c.changed().size()
                  + (c.changed().size() == 1 ? " entry" : " entries")
                  + " whose "
                  + Window.NAME
                  + " ended before "
                  + TimeText.when(now)
                  + "; "
                  + (dryRun ? "would reclaim " : "reclaimed ")
                  + bytes(c.bytesBefore() - c.bytesAfter())
                  + " (journal "
                  + bytes(c.bytesBefore())
                  + " → "
                  + bytes(c.bytesAfter())
                  + ")");
          if (!keptPending.isEmpty()) {
            out.println(
                "kept "
                    + keptPending.size()
                    + " pending "
                    + (keptPending.size() == 1 ? "entry" : "entries")
                    + " whose window has ended: they need a person (edlink-idem list --state"
                    + " pending; edlink-idem reconcile KEY); --include-pending removes them");
          }
          c.skipped().forEach(s -> out.println("skipped " + s.key() + ": " + s.reason()));
          out.flush();
          return ExitCode.OK;
        });
  }

  private int forget(List<Tombstone> forgotten, PrintWriter out) {
    if (format.json()) {
      JsonArray keys = new JsonArray();
      for (Tombstone t : forgotten) {
        JsonObject o = new JsonObject();
        o.addProperty("key", t.key());
        o.addProperty("window_ends", t.windowEnd().toString());
        keys.add(o);
      }
      JsonObject o = new JsonObject();
      o.addProperty("dry_run", dryRun);
      o.add("forgotten", keys);
      JsonDocument.print(root, o);
      return ExitCode.OK;
    }
    for (Tombstone t : forgotten) {
      out.println(
          (dryRun ? "would forget " : "forgot ")
              + t.key()
              + " (window ended "
              + TimeText.when(t.windowEnd())
              + ")");
    }
    out.println(
        (dryRun ? "would forget " : "forgot ")
            + forgotten.size()
            + (forgotten.size() == 1 ? " pruned key" : " pruned keys")
            + (forgotten.isEmpty() ? "" : "; each can now be posted again as a new request"));
    out.flush();
    return ExitCode.OK;
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    if (n < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
  }
}
