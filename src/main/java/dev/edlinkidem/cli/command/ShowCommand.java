package dev.edlinkidem.cli.command;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.KeyResolver;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code show KEY}: one entry whole. */
@Command(
    name = "show",
    mixinStandardHelpOptions = true,
    description =
        "Show one journal entry whole: the request (never the token), every attempt, the response, "
            + "the first attempt's time and the end of the key's "
            + Window.NAME
            + ".",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem show 7Hq2xZ                (a unique prefix of at least "
          + KeyResolver.MIN_PREFIX
          + " characters)",
      "  edlink-idem show 7Hq2xZ --format json | jq .response.status"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:shown", "1:journal unreadable", "2:no such key, or an ambiguous prefix"})
public final class ShowCommand implements Callable<Integer> {
  /** Output formats. */
  enum Format {
    TEXT,
    JSON
  }

  /** Response headers worth a line in the text view. */
  private static final List<String> SELECTED_HEADERS =
      List.of("content-type", "date", "retry-after", "x-request-id");

  @ParentCommand private EdlinkIdem root;

  @Parameters(
      paramLabel = "KEY",
      description =
          "A key, or a unique prefix of at least " + KeyResolver.MIN_PREFIX + " characters.")
  private String key;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  private Format format;

  @Override
  public Integer call() {
    Instant now = root.invocation().now();
    Entry entry = JournalAccess.with(root, journal -> KeyResolver.entry(journal, key));
    PrintWriter out = root.invocation().out();
    if (format == Format.JSON) {
      JsonDocument.print(root, EntryJson.full(entry, now));
    } else {
      text(out, entry, now);
    }
    out.flush();
    return ExitCode.OK;
  }

  private void text(PrintWriter out, Entry e, Instant now) {
    boolean colour = root.style().colorFor(root.invocation().terminal().stdout());
    String state =
        e.state().label() + (e.outcome() != null ? " (learned by " + e.outcome().via() + ")" : "");
    out.println("key       " + e.key());
    out.println(
        "state     "
            + (colour ? Style.colour(e.state()) + state + Style.RESET : state)
            + (e.window().hasEnded(now) ? ", window ended" : ""));
    out.println("request   " + e.request().method() + " " + e.request().url());
    out.println(
        "created   " + TimeText.precise(e.created()) + "  (first attempt: the window starts here)");
    out.println(
        "window    ends "
            + TimeText.when(e.window().end())
            + " ("
            + TimeText.left(e.window().remaining(now))
            + (e.window().hasEnded(now) ? "" : " left")
            + "); replays allowed until "
            + TimeText.when(e.window().replayDeadline()));
    e.request().headers().forEach((name, value) -> out.println("header    " + name + ": " + value));
    out.println("body      " + indented(body(e.request().body())));
    out.println();
    out.println(
        "attempts  "
            + (e.attempts().isEmpty()
                ? "none recorded (interrupted before the first ended?)"
                : e.attempts().size()));
    for (Attempt a : e.attempts()) {
      String what =
          a.result() == Attempt.Result.RESPONSE
              ? "HTTP " + a.status()
              : a.result().label().replace('_', ' ');
      out.println(
          "  "
              + a.number()
              + "  "
              + TimeText.precise(a.at())
              + "  "
              + what
              + "  "
              + a.duration().toMillis()
              + " ms"
              + (a.error() != null ? "  " + a.error() : "")
              + (a.requestId() != null ? "  $request " + a.requestId() : ""));
    }
    out.println();
    if (e.outcome() == null) {
      out.println("response  none yet: the entry is pending");
      return;
    }
    RecordedResponse r = e.outcome().response();
    Envelope envelope = Envelope.of(r.body());
    out.println(
        "response  "
            + r.status()
            + "  at "
            + TimeText.precise(e.outcome().at())
            + " (by "
            + e.outcome().via()
            + ")");
    if (envelope.requestId() != null) {
      out.println("$request  " + envelope.requestId());
    }
    envelope.warnings().forEach(w -> out.println("warning   " + w));
    envelope.errors().forEach(w -> out.println("error     " + w));
    for (Map.Entry<String, List<String>> h : r.headers().entrySet()) {
      if (SELECTED_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        out.println("header    " + h.getKey() + ": " + String.join(", ", h.getValue()));
      }
    }
    out.println("body      " + indented(body(r.body())));
  }

  private static String body(byte[] bytes) {
    if (bytes.length == 0) {
      return "(empty)";
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    try {
      JsonElement parsed = JsonParser.parseString(text);
      return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(parsed);
    } catch (JsonParseException e) {
      return text;
    }
  }

  private static String indented(String text) {
    return text.replace("\n", "\n          ");
  }
}
