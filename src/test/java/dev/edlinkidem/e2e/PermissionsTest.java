package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal, configuration or stored token that others can read is closed to them, with one warning
 * line.
 */
class PermissionsTest {
  private static final String TOKEN = "sk-perm-test-8d1e";

  @TempDir Path tmp;

  private Cli cli() {
    return new Cli()
        .env("HOME", tmp.toString())
        .env("XDG_CONFIG_HOME", tmp.resolve("config").toString())
        .env("EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString());
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  private static long warnings(Cli.Result r) {
    return r.err().lines().filter(l -> l.startsWith("edlink-idem: warning:")).count();
  }

  @Test
  void aJournalDirectoryOpenToOthersIsClosedWithAWarning() throws Exception {
    for (String open : new String[] {"rwxr-xr-x", "rwxrwxrwx", "rwx---r-x"}) {
      Path journal = Files.createDirectories(tmp.resolve("journal"));
      Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString(open));

      Cli.Result r = cli().run("list");
      assertEquals(0, r.code(), r.toString());
      assertEquals("rwx------", mode(journal), open);
      assertEquals(1, warnings(r), r.err());
      assertTrue(
          r.err().contains(journal + " was open to others (" + open + "); closed it to mode 0700"),
          r.err());

      Cli.Result again = cli().run("list");
      assertEquals(0, warnings(again), "warned once, when it was fixed: " + again.err());
      Files.delete(journal);
    }
  }

  @Test
  void aConfigurationFileReadableByOthersIsClosedWithAWarning() throws Exception {
    Path config =
        Files.createDirectories(tmp.resolve("config").resolve("edlink-idem")).resolve("config");
    Files.writeString(config, "[default]\nretries = 2\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result r = cli().run("config", "show");
    assertEquals(0, r.code(), r.toString());
    assertEquals("rw-------", mode(config));
    assertEquals(1, warnings(r), r.err());
    assertTrue(
        r.err().contains(config + " was open to others (rw-r--r--); closed it to mode 0600"),
        r.err());
  }

  /**
   * A post refused for its body reads no profile when the base URL is a flag: it neither warns
   * about the configuration file nor changes it (the network settings, which a profile may hold,
   * are read after the body).
   */
  @Test
  void aPostRefusedForItsBodyLeavesTheConfigurationAlone() throws Exception {
    Path config =
        Files.createDirectories(tmp.resolve("config").resolve("edlink-idem")).resolve("config");
    Files.writeString(config, "[default]\nretries = 2\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result r =
        cli()
            .env("EDLINK_TOKEN", TOKEN)
            .run(
                "post",
                "/api/v2/graph/classes/x/assignments",
                "-d",
                "@" + tmp.resolve("no-such-body.json"),
                "--base-url",
                "http://127.0.0.1:9");
    assertEquals(2, r.code(), r.toString());
    assertEquals(0, warnings(r), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals("rw-r--r--", mode(config));
  }

  @Test
  void aStoredTokenReadableByOthersIsClosedWithAWarning() throws Exception {
    Cli.Result stored = cli().stdin(TOKEN + "\n").run("config", "set-token");
    assertEquals(0, stored.code(), stored.toString());
    Path token = tmp.resolve("config").resolve("edlink-idem").resolve("tokens").resolve("default");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-rw-r--"));

    Cli.Result r = cli().run("config", "show");
    assertEquals(0, r.code(), r.toString());
    assertEquals("rw-------", mode(token));
    assertEquals(1, warnings(r), r.err());
    assertFalse(r.err().contains(TOKEN));
  }

  @Test
  void quietSilencesTheWarningButNotTheFix() throws Exception {
    Path journal = Files.createDirectories(tmp.resolve("journal"));
    Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rwxr-xr-x"));

    Cli.Result r = cli().run("-q", "list");
    assertEquals(0, r.code(), r.toString());
    assertEquals("rwx------", mode(journal));
    assertEquals("", r.err());
  }
}
