package dev.edlinkidem.config;

import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.request.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration file: named profiles of settings (docs/configuration.md).
 *
 * <pre>
 * [default]
 * base-url = https://ed.link
 * retries = 6
 *
 * [sandbox]
 * base-url = http://127.0.0.1:8790
 * journal = ~/ci/journal
 * </pre>
 */
public final class ConfigFile {
  /** The settings a profile may hold, in the order help shows them. */
  public static final List<String> KEYS =
      List.of(
          "base-url",
          "journal",
          "journal-password-file",
          "token-file",
          "retries",
          "proxy",
          "noproxy",
          "cacert");

  public static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SECTION = Pattern.compile("\\[\\s*([^\\]]*?)\\s*]");
  private static final Pattern SETTING = Pattern.compile("([A-Za-z-]+)\\s*=\\s*(.*?)\\s*");

  /** A configuration file that cannot be used, with the line that says why. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  private final Path path;
  private final Map<String, Map<String, String>> profiles;

  private ConfigFile(Path path, Map<String, Map<String, String>> profiles) {
    this.path = path;
    this.profiles = profiles;
  }

  /** The file at {@code path}; a missing file is an empty configuration. */
  public static ConfigFile read(Path path) throws Invalid {
    return parse(path, readLines(path));
  }

  /** The file's text as it is, line endings included, or "" when there is no file. */
  public static String text(Path path) throws Invalid {
    readLines(path); // the same refusals as reading it: not UTF-8, unreadable
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new Invalid("cannot read the configuration " + path + ": " + e.getMessage());
    }
  }

  private static List<String> readLines(Path path) throws Invalid {
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException | UncheckedIOException e) {
      throw new Invalid(
          "cannot read the configuration "
              + path
              + ": "
              + (e instanceof CharacterCodingException
                      || e.getCause() instanceof CharacterCodingException
                  ? "it is not UTF-8 text"
                  : String.valueOf(e.getMessage())));
    }
    return lines;
  }

  /** The configuration {@code text} holds, as if it were the file at {@code path}. */
  public static ConfigFile parse(Path path, String text) throws Invalid {
    return parse(path, text.lines().toList());
  }

  private static ConfigFile parse(Path path, List<String> lines) throws Invalid {
    Map<String, Map<String, String>> profiles = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      String where = path + " line " + (i + 1);
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      Matcher section = SECTION.matcher(line);
      Matcher setting = SETTING.matcher(line);
      if (section.matches()) {
        String name = section.group(1);
        if (!PROFILE_NAME.matcher(name).matches()) {
          throw new Invalid(
              where + ": '" + name + "' is not a profile name (letters, digits, . _ -)");
        }
        if (profiles.containsKey(name)) {
          throw new Invalid(where + ": profile [" + name + "] appears twice");
        }
        current = new LinkedHashMap<>();
        profiles.put(name, current);
      } else if (setting.matches()) {
        String key = setting.group(1);
        if (current == null) {
          throw new Invalid(where + ": '" + key + "' comes before any [profile] line");
        }
        if (!KEYS.contains(key)) {
          throw new Invalid(
              where + ": unknown setting '" + key + "' (known: " + String.join(", ", KEYS) + ")");
        }
        current.put(key, setting.group(2));
      } else {
        throw new Invalid(where + ": expected [profile] or name = value");
      }
    }
    return new ConfigFile(path, profiles);
  }

  public Path path() {
    return path;
  }

  /** The profiles the file names, in file order. */
  public List<String> profiles() {
    return List.copyOf(profiles.keySet());
  }

  public boolean hasProfile(String name) {
    return profiles.containsKey(name);
  }

  /** A profile's setting, or null. */
  public String get(String profile, String key) {
    Map<String, String> settings = profiles.get(profile);
    return settings == null ? null : settings.get(key);
  }

  /**
   * What is wrong with {@code value} for the setting {@code key}, or null when nothing is: the one
   * rule {@code config set} refuses by and {@code config show} marks by.
   */
  public static String problemWith(String key, String value) {
    if (!KEYS.contains(key)) {
      return unknownSetting(key);
    }
    if (value.isBlank()) {
      return "empty";
    }
    if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return "it holds a line break or another control character";
    }
    if (value.length() >= 2
        && (value.startsWith("\"") && value.endsWith("\"")
            || value.startsWith("'") && value.endsWith("'"))) {
      return "the quotes are part of the value here: write it without them";
    }
    switch (key) {
      case "retries" -> {
        if (!value.matches("\\d{1,9}")) {
          return "not a whole number of retries, 0 or more";
        }
      }
      case "base-url" -> {
        try {
          Destination.baseUrl(value);
        } catch (InvalidRequestException e) {
          return e.getMessage();
        }
      }
      case "proxy" -> {
        return ProxyUrl.problemWith(value);
      }
      default -> {
        // journal (or a postgres:// URL, checked when it is used), journal-password-file,
        // token-file and cacert: any path, a leading ~ the home directory; noproxy: any list,
        // whose entries that name no host match none, as in curl.
      }
    }
    return null;
  }

  /**
   * A setting's value as it may be shown: a proxy URL without its password, which stays in the file
   * alone.
   */
  public static String shown(String key, String value) {
    return key.equals("proxy") && value != null ? ProxyUrl.redact(value) : value;
  }

  /** What is said of a setting a profile cannot hold. */
  public static String unknownSetting(String key) {
    return "unknown setting '" + key + "' (known: " + String.join(", ", KEYS) + ")";
  }

  /**
   * {@code text} with {@code key = value} in [profile]: the line replaced if the profile has the
   * key, else added after its last setting; the profile added at the end if the text has none.
   * Comments and every other line stay as they are.
   */
  public static String set(String text, String profile, String key, String value) {
    return edit(text, profile, key, key + " = " + value);
  }

  /** {@code text} without [profile]'s {@code key}; as it is when the profile does not set it. */
  public static String unset(String text, String profile, String key) {
    return edit(text, profile, key, null);
  }

  /** {@code text} with a [profile] line, added at the end when there is none. */
  public static String withProfile(String text, String profile) {
    return edit(text, profile, null, null);
  }

  private static String edit(String text, String profile, String key, String line) {
    // The file's own line ending, and each line as it was otherwise.
    String eol = text.contains("\r\n") ? "\r\n" : "\n";
    List<String> lines = new ArrayList<>(text.lines().toList());
    int header = -1;
    for (int i = 0; i < lines.size() && header < 0; i++) {
      Matcher section = SECTION.matcher(lines.get(i).strip());
      if (section.matches() && section.group(1).equals(profile)) {
        header = i;
      }
    }
    if (header < 0) {
      if (key != null && line == null) {
        return text;
      }
      if (!lines.isEmpty() && !lines.get(lines.size() - 1).isBlank()) {
        lines.add("");
      }
      lines.add("[" + profile + "]");
      if (line != null) {
        lines.add(line);
      }
      return String.join(eol, lines) + eol;
    }
    int end = header + 1;
    while (end < lines.size() && !SECTION.matcher(lines.get(end).strip()).matches()) {
      end++;
    }
    if (key != null) {
      // Every line of the key goes (a file may name it twice; the last one counted), and the new
      // one takes the place of the first.
      int first = -1;
      for (int i = end - 1; i > header; i--) {
        Matcher setting = SETTING.matcher(lines.get(i).strip());
        if (setting.matches() && setting.group(1).equals(key)) {
          lines.remove(i);
          end--;
          first = i;
        }
      }
      if (first >= 0) {
        if (line != null) {
          lines.add(first, line);
        }
        return String.join(eol, lines) + eol;
      }
    }
    if (line != null) {
      // After the profile's last setting: a comment further down belongs to what follows it.
      int at = header + 1;
      for (int i = header + 1; i < end; i++) {
        if (SETTING.matcher(lines.get(i).strip()).matches()) {
          at = i + 1;
        }
      }
      lines.add(at, line);
    }
    return String.join(eol, lines) + eol;
  }
}
