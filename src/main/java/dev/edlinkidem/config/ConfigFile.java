package dev.edlinkidem.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  /** The settings a profile may hold. */
  public static final Set<String> KEYS = Set.of("base-url", "journal", "token-file", "retries");

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
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new ConfigFile(path, Map.of());
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
              where
                  + ": unknown setting '"
                  + key
                  + "' (known: base-url, journal, token-file, retries)");
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
}
