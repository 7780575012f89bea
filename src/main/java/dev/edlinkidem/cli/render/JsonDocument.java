package dev.edlinkidem.cli.render;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.edlinkidem.cli.CommandContext;
import java.io.PrintWriter;
import java.util.List;

/**
 * One JSON document on stdout, as every {@code --format json} prints it: one line for a script,
 * indented (and coloured, as the style allows) for a person at a terminal.
 */
public final class JsonDocument {
  /** One line, nulls kept: what a pipe gets, and batch's --format jsonl. */
  static final Gson COMPACT = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  private static final Gson INDENTED =
      new GsonBuilder().serializeNulls().setPrettyPrinting().disableHtmlEscaping().create();

  private JsonDocument() {}

  /** Indented when stdout is a terminal, else one line. */
  public static void print(CommandContext root, JsonElement document) {
    print(root, document, root.invocation().terminal().stdout());
  }

  /** Indented (and coloured where the style allows) when {@code indent}, else one line. */
  public static void print(CommandContext root, JsonElement document, boolean indent) {
    PrintWriter out = root.invocation().out();
    out.println(text(root, document, indent));
    out.flush();
  }

  /** Strings as a JSON array. */
  public static JsonArray strings(List<String> values) {
    JsonArray a = new JsonArray();
    values.forEach(a::add);
    return a;
  }

  static String text(CommandContext root, JsonElement document, boolean indent) {
    if (!indent) {
      return COMPACT.toJson(document);
    }
    String text = INDENTED.toJson(document);
    return root.style().colorFor(root.invocation().terminal().stdout())
        ? JsonColours.paint(text)
        : text;
  }
}
