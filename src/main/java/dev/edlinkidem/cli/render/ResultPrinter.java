package dev.edlinkidem.cli.render;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.CommandContext;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Version;
import dev.edlinkidem.cli.option.OutputOptions;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryJson;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.time.DurationSyntax;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.time.TimeText;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Row;
import dev.edlinkidem.verdict.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Shows how one key ended: the body on stdout, the verdict's line and Edlink's warnings on stderr.
 */
public final class ResultPrinter {
  private static final Gson PRETTY =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private final CommandContext root;
  private final OutputOptions output;
  private final boolean stdout;
  private final List<String> replayArgs;

  /**
   * @param stdout whether the result goes to stdout at all (with several keys, a caller may say
   *     instead)
   * @param replayArgs options a suggested replay command must carry (--token-file, --allow-host)
   */
  public ResultPrinter(
      CommandContext root, OutputOptions output, boolean stdout, List<String> replayArgs) {
    this.root = root;
    this.output = output;
    this.stdout = stdout;
    this.replayArgs = List.copyOf(replayArgs);
  }

  /** The advice of a verdict names the command that replays its key with this run's settings. */
  Verdict.Audience audience(String key) {
    return new Verdict.Audience.ForKey(
        CommandText.replay(root.settings().flags(), key, replayArgs));
  }

  /** A verdict's whole message, without colour: for an error that ends the command. */
  public String message(Verdict verdict) {
    return verdict.message(audience(verdict.key()), Verdict.Paint.NONE);
  }

  /**
   * A verdict that ends the command as an error, with the failure behind it (shown with --verbose).
   */
  public CliException failure(Verdict verdict, Throwable cause) {
    return new CliException(verdict.exit(), message(verdict), cause);
  }

  /**
   * Prints how a key ended: the response on stdout (or one JSON object), Edlink's warnings, and the
   * verdict's line on stderr (a success's only without -q). Returns the exit code.
   */
  public int print(Verdict verdict) {
    RecordedResponse response = verdict.response();
    boolean fromJournal =
        verdict.row() == Row.RECORDED_SUCCESS || verdict.row() == Row.RECORDED_FAILURE;
    if (verdict.delivery() != null || fromJournal) {
      printStdout(verdict.entry(), response, fromJournal);
      warnings(
          response == null || response.truncated() ? Envelope.EMPTY : Envelope.of(response.body()));
      clockWarning(verdict);
      if (response != null && response.truncated() && !root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: "
                    + paint(EntryState.PENDING, "warning")
                    + ": the answer's body was longer than "
                    + response.body().length
                    + " bytes (--max-response); only its beginning was read, journaled and"
                    + " printed");
      }
    }
    if (verdict.exit() == ExitCode.OK) {
      summary(verdict.message(audience(verdict.key()), this::paint));
    } else {
      root.invocation()
          .err()
          .println("edlink-idem: " + verdict.message(audience(verdict.key()), this::paint));
    }
    return verdict.exit();
  }

  /**
   * Edlink's Date header is a second clock: when this machine's differs from it by more than the
   * skew margin, says so, and which window end the entry now keeps (the earlier of the two).
   */
  private void clockWarning(Verdict verdict) {
    Entry entry = verdict.entry();
    if (verdict.delivery() == null || entry == null || entry.attempts().isEmpty()) {
      return;
    }
    Duration ahead = entry.attempts().get(entry.attempts().size() - 1).clockAhead();
    if (ahead == null || Time.magnitude(ahead).compareTo(Window.SKEW_MARGIN) <= 0) {
      return;
    }
    root.invocation()
        .err()
        .println(
            "edlink-idem: "
                + paint(EntryState.PENDING, "warning")
                + ": this machine's clock is "
                + DurationSyntax.format(Time.magnitude(ahead).truncatedTo(ChronoUnit.SECONDS))
                + (ahead.isNegative() ? " behind" : " ahead of")
                + " Edlink's (by its Date header); "
                + verdict.key()
                + "'s "
                + Window.NAME
                + " ends "
                + TimeText.when(entry.window().end())
                + (ahead.isNegative()
                    ? " by this clock; set it right (NTP)"
                    : ", counted by Edlink's clock; set this one right (NTP)"));
  }

  /** A state word, coloured when stderr gets colour (--color, NO_COLOR, a terminal). */
  private String paint(EntryState state, String word) {
    return root.style().colorFor(root.invocation().terminal().stderr())
        ? Style.colour(state) + word + Style.RESET
        : word;
  }

  private void summary(String line) {
    if (!root.style().quiet()) {
      root.invocation().err().println("edlink-idem: " + line);
    }
  }

  private void warnings(Envelope envelope) {
    if (!root.style().quiet()) {
      String warning = paint(EntryState.PENDING, "warning");
      for (Envelope.Notice w : envelope.warnings()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: "
                    + (w.isKeyRepeated()
                        ? "Edlink answered from its memory of this key: the response to its first"
                            + " request, which was not done again ("
                            + w.code()
                            + ")"
                        : warning + ": " + w));
      }
    }
  }

  private void printStdout(Entry entry, RecordedResponse response, boolean fromJournal) {
    if (!stdout) {
      return;
    }
    if (output.format() == OutputOptions.Format.JSON) {
      JsonObject summary = summaryObject(entry, response, fromJournal);
      if (output.include() && response != null) {
        summary.add("headers", EntryJson.headers(response.headers()));
      }
      JsonDocument.print(root, summary, output.pretty(root.invocation().terminal().stdout()));
      return;
    }
    if (response == null) {
      return;
    }
    Invocation invocation = root.invocation();
    OutputStream stdout = invocation.stdout();
    try {
      if (output.include()) {
        stdout.write(headerBlock(response).getBytes(StandardCharsets.UTF_8));
      }
      byte[] body = response.body();
      if (output.pretty(invocation.terminal().stdout()) && !response.truncated()) {
        String pretty = pretty(body);
        if (pretty != null) {
          if (root.style().colorFor(invocation.terminal().stdout())) {
            pretty = JsonColours.paint(pretty);
          }
          body = (pretty + "\n").getBytes(StandardCharsets.UTF_8);
        }
      }
      stdout.write(body);
      stdout.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject summaryObject(Entry entry, RecordedResponse response, boolean fromJournal) {
    JsonObject o = new JsonObject();
    o.addProperty("key", entry.key());
    o.addProperty("state", entry.state().label());
    o.add("status", response == null ? JsonNull.INSTANCE : new JsonPrimitive(response.status()));
    o.addProperty("attempts", entry.attempts().size());
    o.addProperty("expires_at", entry.window().end().toString());
    o.addProperty("from_journal", fromJournal);
    o.add(
        "response",
        response == null
            ? JsonNull.INSTANCE
            : response.truncated()
                ? new JsonPrimitive(new String(response.body(), StandardCharsets.UTF_8))
                : bodyAsJson(response.body()));
    if (response != null && response.truncated()) {
      o.addProperty("response_truncated", true);
    }
    return o;
  }

  /** A body as JSON when it is JSON, else as a string. */
  static JsonElement bodyAsJson(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    try {
      return JsonParser.parseString(text);
    } catch (JsonParseException e) {
      return new JsonPrimitive(text);
    }
  }

  private static String pretty(byte[] body) {
    try {
      JsonElement parsed = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      return parsed.isJsonNull() && body.length == 0 ? null : PRETTY.toJson(parsed);
    } catch (JsonParseException e) {
      return null;
    }
  }

  /**
   * A dry run's request as {@code --format json} prints it: what would be sent, the token as {@code
   * "Bearer [redacted]"} or null when there is none.
   */
  public static JsonObject dryRunJson(
      JournaledRequest request, String url, String key, boolean hasToken, String proxy) {
    JsonObject o = new JsonObject();
    o.addProperty("dry_run", true);
    o.addProperty("key", key);
    o.addProperty("method", request.method());
    o.addProperty("url", url);
    o.add("proxy", proxy == null ? JsonNull.INSTANCE : new JsonPrimitive(proxy));
    JsonObject headers = new JsonObject();
    headers.add(
        "Authorization", hasToken ? new JsonPrimitive("Bearer [redacted]") : JsonNull.INSTANCE);
    headers.addProperty("User-Agent", "edlink-idem/" + Version.number());
    request.headers().forEach(headers::addProperty);
    o.add("headers", headers);
    o.add("body", request.body().length == 0 ? JsonNull.INSTANCE : bodyAsJson(request.body()));
    return o;
  }

  static String headerBlock(RecordedResponse response) {
    StringBuilder b = new StringBuilder("HTTP/1.1 ").append(response.status()).append("\r\n");
    for (Map.Entry<String, List<String>> h : response.headers().entrySet()) {
      for (String value : h.getValue()) {
        b.append(h.getKey()).append(": ").append(value).append("\r\n");
      }
    }
    return b.append("\r\n").toString();
  }
}
