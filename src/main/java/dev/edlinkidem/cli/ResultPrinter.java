package dev.edlinkidem.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.send.Delivery;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Shows the result for one key: the body on stdout, one summary line and the warnings on stderr. */
final class ResultPrinter {
  private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  /** One line of JSON, nulls kept: what --format json and batch's --format jsonl print. */
  static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private final EdlinkIdem root;
  private final OutputOptions output;
  private final boolean stdout;
  private final List<String> replayArgs;

  /**
   * @param stdout whether the result goes to stdout at all (with several keys, a caller may say instead)
   * @param replayArgs options a suggested replay command must carry (--token-file, --allow-host)
   */
  ResultPrinter(EdlinkIdem root, OutputOptions output, boolean stdout, List<String> replayArgs) {
    this.root = root;
    this.output = output;
    this.stdout = stdout;
    this.replayArgs = List.copyOf(replayArgs);
  }

  /** What to do about a pending entry: the exact command, and until when it is safe. */
  String replayHint(Entry entry) {
    return "run '" + CommandText.replay(root.settings().flags(), entry.key(), replayArgs) + "' before " + TimeText.when(entry.window().replayDeadline())
        + ", an hour before its 30-day window ends";
  }

  private static final String GREEN = "\u001b[32m";
  private static final String RED = "\u001b[31m";
  private static final String YELLOW = "\u001b[33m";

  /** A state word, coloured when stderr gets colour (--color, NO_COLOR, a terminal). */
  private String paint(String word, String color) {
    return root.style().colorFor(root.invocation().terminal().stderr()) ? color + word + "\u001b[0m" : word;
  }

  /** Prints a finished entry's recorded response, read from the journal without sending. */
  int recorded(Entry entry) {
    RecordedResponse response = entry.outcome().response();
    printStdout(entry, response, true);
    Envelope envelope = Envelope.of(response.body());
    warnings(envelope);
    if (entry.state() == EntryState.SUCCEEDED) {
      summary(response.status() + " " + paint("succeeded", GREEN) + " · key " + entry.key() + " · recorded response from the journal, not sent");
      return ExitCode.OK;
    }
    root.invocation().err().println("edlink-idem: " + response.status() + " " + paint("failed", RED)
        + errorsOf(envelope) + " · key " + entry.key() + " · recorded response from the journal, not sent;"
        + " fix the request and post it with a new key");
    return ExitCode.CLIENT_ERROR;
  }

  /** Prints how a send ended and returns its exit code. */
  int delivered(Delivery d) {
    Entry entry = d.entry();
    printStdout(entry, d.last(), false);
    Envelope envelope = d.last() == null ? Envelope.EMPTY : Envelope.of(d.last().body());
    warnings(envelope);
    String attempts = d.attempts() + (d.attempts() == 1 ? " attempt" : " attempts");
    PrintWriter err = root.invocation().err();
    String replay = replayHint(entry);
    switch (d.kind()) {
      case SUCCEEDED -> {
        summary(d.last().status() + " " + paint("succeeded", GREEN) + " · key " + entry.key() + " · " + attempts
            + " · Edlink remembers the key until " + TimeText.when(entry.window().end()));
        return ExitCode.OK;
      }
      case FAILED -> {
        err.println("edlink-idem: Edlink answered " + d.last().status() + errorsOf(envelope) + " · key " + entry.key()
            + " journaled as " + paint("failed", RED) + "; fix the request and post it with a new key");
        return ExitCode.CLIENT_ERROR;
      }
      case CREDENTIALS_REFUSED -> {
        err.println("edlink-idem: Edlink refused the token (" + d.last().status() + errorsOf(envelope) + ") · nothing was done and "
            + entry.key() + " stays " + paint("pending", YELLOW) + "; fix the token, then " + replay);
        return ExitCode.CLIENT_ERROR;
      }
      case UNEXPECTED -> {
        err.println("edlink-idem: Edlink answered " + d.last().status() + ", which is not an answer to a POST"
            + (d.last().status() >= 300 ? " (redirects are not followed; check --base-url)" : "") + " · "
            + entry.key() + " is " + paint("pending", YELLOW) + "; " + replay);
        return ExitCode.SERVER_ERROR;
      }
      case SERVER_ERROR -> {
        err.println("edlink-idem: Edlink answered " + d.last().status() + " after " + attempts + " · "
            + entry.key() + " is " + paint("pending", YELLOW) + "; " + replay);
        return ExitCode.SERVER_ERROR;
      }
      default -> {
        err.println("edlink-idem: no response after " + attempts + " (" + d.error() + ") · "
            + entry.key() + " is " + paint("pending", YELLOW) + "; " + replay);
        return ExitCode.NO_RESPONSE;
      }
    }
  }

  /** Edlink's $errors as " CODE: message", or nothing when there are none. */
  static String errorsOf(Envelope envelope) {
    return envelope.errors().isEmpty() ? "" : " " + envelope.errorLine();
  }

  private void summary(String line) {
    if (!root.style().quiet()) {
      root.invocation().err().println("edlink-idem: " + line);
    }
  }

  private void warnings(Envelope envelope) {
    if (!root.style().quiet()) {
      envelope.warnings().forEach(w -> root.invocation().err().println("edlink-idem: " + paint("warning", YELLOW) + ": " + w));
    }
  }

  private void printStdout(Entry entry, RecordedResponse response, boolean fromJournal) {
    if (!stdout) {
      return;
    }
    if (output.format == OutputOptions.Format.JSON) {
      PrintWriter out = root.invocation().out();
      out.println(COMPACT.toJson(summaryObject(entry, response, fromJournal)));
      out.flush();
      return;
    }
    if (response == null) {
      return;
    }
    Invocation invocation = root.invocation();
    OutputStream stdout = invocation.stdout();
    try {
      if (output.include) {
        stdout.write(headerBlock(response).getBytes(StandardCharsets.UTF_8));
      }
      byte[] body = response.body();
      if (output.pretty(invocation.terminal().stdout())) {
        String pretty = pretty(body);
        if (pretty != null) {
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
    o.add("response", response == null ? JsonNull.INSTANCE : bodyAsJson(response.body()));
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
