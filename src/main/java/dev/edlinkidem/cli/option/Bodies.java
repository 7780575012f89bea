package dev.edlinkidem.cli.option;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.config.Unreadable;
import dev.edlinkidem.edlink.JsonText;
import dev.edlinkidem.journal.Utf8;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** Request bodies from {@code -d}: inline JSON, {@code @FILE} or {@code @-}, checked to be JSON. */
public final class Bodies {
  /** Edlink refuses larger requests. */
  static final long MAX_BYTES = 32L * 1024 * 1024;

  private Bodies() {}

  public static byte[] read(String data, InputStream stdin, UnaryOperator<String> expandHome) {
    byte[] bytes;
    String from;
    if (data.equals("@-")) {
      from = "stdin";
      try {
        bytes = stdin.readNBytes((int) MAX_BYTES + 1);
      } catch (InterruptedIOException e) {
        throw new CliException(
            ExitCode.INTERRUPTED,
            "interrupted while reading the body; nothing was journaled or sent");
      } catch (IOException e) {
        throw CliException.usage("cannot read the body from stdin: " + e.getMessage());
      }
    } else if (data.equals("@")) {
      // Path.of("") is the working directory: without this the message said "it is a directory".
      throw CliException.usage("-d @ needs a file name after the @: -d @FILE, or -d @- for stdin");
    } else if (data.startsWith("@")) {
      Path file = Path.of(expandHome.apply(data.substring(1)));
      from = "file " + file;
      if (Files.isDirectory(file)) {
        throw CliException.usage("cannot read the body from " + file + ": it is a directory");
      }
      // Read at most one byte past the limit: a FIFO or /dev/zero has no size to check first.
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes((int) MAX_BYTES + 1);
      } catch (IOException e) {
        throw CliException.usage("cannot read the body from " + file + ": " + Unreadable.why(e));
      }
    } else {
      from = "-d";
      bytes = data.getBytes(StandardCharsets.UTF_8);
      try {
        checkJson(bytes, from);
      } catch (CliException notJson) {
        if (isFile(expandHome.apply(data))) {
          // "-d a.json" sends the text a.json, which is no JSON: the file was meant.
          throw CliException.usage(
              "the body from -d is not JSON but the name of a file; did you mean -d @"
                  + data
                  + "?");
        }
        throw notJson;
      }
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(from);
    }
    checkJson(bytes, from);
    return bytes;
  }

  private static boolean isFile(String name) {
    try {
      return !name.isEmpty() && Files.isRegularFile(Path.of(name));
    } catch (InvalidPathException e) {
      return false;
    }
  }

  private static CliException tooLarge(String from) {
    return CliException.usage(
        "the body from " + from + " is larger than 32 MB, Edlink's limit for a request");
  }

  /** Strict JSON, exactly one value, in UTF-8. */
  static void checkJson(byte[] bytes, String from) {
    String text = Utf8.decode(bytes);
    if (text == null) {
      throw CliException.usage(
          "the body from " + from + " is not UTF-8 text, so it cannot be JSON");
    }
    if (text.isBlank()) {
      throw CliException.usage("the body from " + from + " is empty; leave out -d to send no body");
    }
    try (JsonReader reader = new JsonReader(new StringReader(text))) {
      reader.setStrictness(Strictness.STRICT);
      readValue(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw CliException.usage(
            "the body from " + from + " is not valid JSON: more than one value");
      }
    } catch (JsonParseException | IOException e) {
      throw CliException.usage(
          "the body from " + from + " is not valid JSON: " + JsonText.whyInvalid(e));
    }
  }

  // Not skipValue(): it skips strings without checking them, so a raw control character in a
  // string passed here and Edlink refused the body after it had been journaled and sent.
  private static void readValue(JsonReader reader) throws IOException {
    int depth = 0;
    do {
      switch (reader.peek()) {
        case BEGIN_ARRAY -> {
          reader.beginArray();
          depth++;
        }
        case END_ARRAY -> {
          reader.endArray();
          depth--;
        }
        case BEGIN_OBJECT -> {
          reader.beginObject();
          depth++;
        }
        case END_OBJECT -> {
          reader.endObject();
          depth--;
        }
        case NAME -> reader.nextName();
        case STRING, NUMBER -> reader.nextString();
        case BOOLEAN -> reader.nextBoolean();
        case NULL -> reader.nextNull();
        default -> throw new IllegalStateException("no value where one was peeked");
      }
    } while (depth > 0);
  }
}
