package dev.edlinkidem.journal.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where a PostgreSQL journal's password comes from, first that has one: {@code PGPASSWORD}, else
 * the profile's {@code journal-password-file} (the whole file, which must be the owner's alone),
 * else a {@code .pgpass} file ({@code PGPASSFILE}, else {@code ~/.pgpass}) read as libpq reads it.
 * None is no password: the server may not ask for one (trust, peer, a client certificate).
 */
public final class PasswordSource {
  /** A password file is a line; anything this large is the wrong file. */
  private static final int MAX_BYTES = 64 * 1024;

  private static final Set<PosixFilePermission> OTHERS =
      Set.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PasswordSource() {}

  /** A password and where it came from, for a message ("environment PGPASSWORD"). */
  public record Found(String password, String source) {
    @Override
    public String toString() {
      return "Found[password never shown, from " + source + "]";
    }
  }

  /**
   * The password for {@code target}, or null when none is set.
   *
   * @param env the process's environment
   * @param home the home directory, for {@code ~/.pgpass}
   * @param profileFile the profile's journal-password-file, or null
   * @param warn told a one-line warning (a .pgpass open to others, ignored as libpq ignores it)
   * @throws PostgresSettingException when the profile's file cannot be used
   */
  public static Found find(
      PostgresTarget target,
      Map<String, String> env,
      Path home,
      Path profileFile,
      Consumer<String> warn) {
    String fromEnv = env.get("PGPASSWORD");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return new Found(fromEnv, "environment PGPASSWORD");
    }
    if (profileFile != null) {
      return new Found(profileFile(profileFile), "the profile's journal-password-file");
    }
    String named = env.get("PGPASSFILE");
    Path pgpass =
        named != null && !named.isEmpty()
            ? Path.of(named)
            : home == null ? null : home.resolve(".pgpass");
    if (pgpass == null || !Files.isRegularFile(pgpass)) {
      return null;
    }
    try {
      if (!ownersAlone(pgpass)) {
        warn.accept(
            pgpass
                + " is open to others (it must be mode 0600, as libpq requires); it was not read");
        return null;
      }
      String password = lookUp(Files.readAllLines(pgpass, StandardCharsets.UTF_8), target, env);
      return password == null ? null : new Found(password, pgpass.toString());
    } catch (IOException e) {
      warn.accept("cannot read " + pgpass + " (" + e.getMessage() + "); it was not used");
      return null;
    }
  }

  /**
   * The password of the first line of a .pgpass file that matches {@code target}: {@code
   * host:port:database:user:password}, each of the first four a value or {@code *}, with {@code \:}
   * and {@code \\} escaped; lines starting with {@code #} are comments.
   */
  static String lookUp(List<String> lines, PostgresTarget target, Map<String, String> env) {
    String user = target.user() != null ? target.user() : defaultUser(env);
    for (String line : lines) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      List<String> fields = fields(line);
      if (fields.size() != 5) {
        continue;
      }
      if (matches(fields.get(0), target.host())
          && matches(fields.get(1), String.valueOf(target.port()))
          && matches(fields.get(2), target.database())
          && matches(fields.get(3), user)) {
        return fields.get(4);
      }
    }
    return null;
  }

  /** The role libpq uses when the URL names none: PGUSER, else the login name. */
  public static String defaultUser(Map<String, String> env) {
    String user = env.get("PGUSER");
    return user != null && !user.isEmpty() ? user : System.getProperty("user.name");
  }

  private static boolean matches(String field, String value) {
    return field.equals("*") || field.equals(value);
  }

  private static List<String> fields(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length()) {
        field.append(line.charAt(++i));
      } else if (c == ':' && fields.size() < 4) {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    fields.add(field.toString());
    return fields;
  }

  private static String profileFile(Path file) {
    try {
      if (!ownersAlone(file)) {
        throw new PostgresSettingException(
            "the journal-password-file "
                + file
                + " is open to others; make it the owner's alone (chmod 600)");
      }
      if (Files.size(file) > MAX_BYTES) {
        throw new PostgresSettingException(
            "the journal-password-file " + file + " is larger than 64 KiB; is it the right file?");
      }
      String password = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (password.isEmpty()) {
        throw new PostgresSettingException("the journal-password-file " + file + " is empty");
      }
      return password;
    } catch (NoSuchFileException e) {
      throw new PostgresSettingException("the journal-password-file " + file + " does not exist");
    } catch (IOException e) {
      throw new PostgresSettingException(
          "cannot read the journal-password-file " + file + ": " + e.getMessage());
    }
  }

  private static boolean ownersAlone(Path file) throws IOException {
    try {
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      return mode.stream().noneMatch(OTHERS::contains);
    } catch (UnsupportedOperationException e) {
      return true; // no POSIX modes here: nothing to check, as libpq on Windows
    }
  }
}
