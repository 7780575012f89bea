package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration and profiles: precedence flag > environment > profile > default, and stored tokens.
 */
class ConfigTest extends SandboxCase {
  private Path configDir;

  @BeforeEach
  void writeConfig() throws Exception {
    configDir = tmp.resolve("xdg-config").resolve("edlink-idem");
    Files.createDirectories(configDir);
    Files.writeString(
        configDir.resolve("config"),
        String.join(
            "\n",
            "# profiles for tests",
            "[default]",
            "base-url = " + sandbox.baseUrl(),
            "journal = " + tmp.resolve("profile-journal"),
            "",
            "[other]",
            "base-url = https://other.example",
            "retries = 0",
            "journal = ~/other-journal",
            ""));
  }

  /** No environment settings at all, only the configuration. */
  private Cli bare() {
    return new Cli()
        .env("HOME", tmp.toString())
        .env("XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
  }

  private static String line(Cli.Result r, String name) {
    return r.out()
        .lines()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError(r.out()));
  }

  @Test
  void precedenceIsFlagThenEnvironmentThenProfileThenDefault() {
    Cli.Result profile = bare().run("config", "show");
    assertEquals(0, profile.code(), profile.toString());
    assertTrue(
        line(profile, "base-url")
            .matches("base-url +" + sandbox.baseUrl() + " +\\(profile default\\)"),
        profile.out());
    assertTrue(line(profile, "journal").contains("(profile default)"), profile.out());
    assertTrue(line(profile, "retries").matches("retries +4 +\\(default\\)"), profile.out());

    Cli.Result env = bare().env("EDLINK_BASE_URL", "https://env.example").run("config", "show");
    assertTrue(
        line(env, "base-url")
            .matches("base-url +https://env.example +\\(environment EDLINK_BASE_URL\\)"),
        env.out());

    Cli.Result flag =
        bare()
            .env("EDLINK_BASE_URL", "https://env.example")
            .run("--base-url", "https://flag.example", "config", "show");
    assertTrue(
        line(flag, "base-url").matches("base-url +https://flag.example +\\(flag --base-url\\)"),
        flag.out());

    Cli.Result other = bare().env("EDLINK_IDEM_PROFILE", "other").run("config", "show");
    assertTrue(
        line(other, "profile").matches("profile +other +\\(environment EDLINK_IDEM_PROFILE\\)"),
        other.out());
    assertTrue(
        line(other, "journal").contains(tmp.resolve("other-journal").toString()),
        "~ is the home directory: " + other.out());
    assertTrue(line(other, "retries").matches("retries +0 +\\(profile other\\)"), other.out());

    Cli.Result none = new Cli().env("HOME", tmp.resolve("nohome").toString()).run("config", "show");
    assertTrue(
        line(none, "base-url").matches("base-url +https://ed.link +\\(default\\)"), none.out());
    assertTrue(line(none, "config").endsWith("(absent)"), none.out());
  }

  @Test
  void aProfileDrivesPostAndItsStoredTokenIsUsed() throws Exception {
    Cli.Result stored = bare().stdin(TOKEN + "\n").run("config", "set-token");
    assertEquals(0, stored.code(), stored.toString());
    Path tokenFile = configDir.resolve("tokens").resolve("default");
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile.getParent())));
    assertFalse(stored.err().contains(TOKEN) || stored.out().contains(TOKEN));

    Cli.Result show = bare().run("config", "show");
    assertFalse(show.out().contains(TOKEN), "the token is never shown: " + show.out());
    assertTrue(
        line(show, "token").contains("set, never shown  (profile default (config set-token)"),
        show.out());

    Cli.Result post = bare().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "via-profile");
    assertEquals(0, post.code(), post.toString());
    assertTrue(Files.exists(tmp.resolve("profile-journal")), "the profile's journal was used");
    assertEquals(1, stat("creates"));
  }

  @Test
  void aProfilesRetriesApplyUnlessTheFlagSaysOtherwise() throws Exception {
    Files.writeString(
        configDir.resolve("config"),
        "[default]\nbase-url = " + sandbox.baseUrl() + "\nretries = 0\n");
    sandbox.setFaults(faults(0, 0, 1, 0, java.time.Duration.ZERO));
    Cli cli = bare().env("EDLINK_TOKEN", TOKEN).env("EDLINK_IDEM_JOURNAL", journalDir().toString());
    assertEquals(5, cli.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "r0").code());
    assertEquals(1, stat("requests"), "retries = 0 from the profile");
    assertEquals(5, cli.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "r1", "--retries", "1").code());
    assertEquals(3, stat("requests"), "--retries 1 wins over the profile");
  }

  @Test
  void setTokenRefusesAnEmptyToken() {
    Cli.Result r = bare().stdin("\n").run("config", "set-token");
    assertEquals(2, r.code(), r.toString());
    assertFalse(Files.exists(configDir.resolve("tokens").resolve("default")));
  }

  @Test
  void aProfileMayBeNamedLikeACommand() throws Exception {
    Files.writeString(configDir.resolve("config"), "[sandbox]\nbase-url = http://127.0.0.1:8790\n");
    Cli.Result r = bare().run("--profile", "sandbox", "config", "show");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("http://127.0.0.1:8790"), r.out());
  }

  @Test
  void unknownProfilesAndBadFilesAreUsageErrorsWithTheLine() throws Exception {
    Cli.Result unknown = bare().run("--profile", "nope", "config", "show");
    assertEquals(2, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("no profile [nope] in "), unknown.err());
    for (String bad :
        List.of(
            "base-url = https://x\n",
            "[default]\ncolour = blue\n",
            "[default]\nthis is not a setting\n",
            "[bad name]\n",
            "[a]\n[a]\n")) {
      Files.writeString(configDir.resolve("config"), bad);
      Cli.Result r = bare().run("config", "show");
      assertEquals(2, r.code(), bad + "\n" + r);
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().contains("config line "), r.err());
    }
    Files.writeString(configDir.resolve("config"), "[default]\nretries = many\n");
    Cli.Result retries = bare().env("EDLINK_TOKEN", "t").run("post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(2, retries.code(), retries.toString());
    assertTrue(retries.err().contains("retries = many"), retries.err());
  }

  @Test
  void configSetGetUnsetAndListChangeOneSettingAndKeepTheRest() throws Exception {
    Path file = configDir.resolve("config");
    String before = Files.readString(file);

    Cli.Result set = bare().run("--profile", "ci", "config", "set", "retries", "6");
    assertEquals(0, set.code(), set.toString());
    assertEquals(before + "\n[ci]\nretries = 6\n", Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("6\n", bare().run("--profile", "ci", "config", "get", "retries").out());
    assertEquals("", bare().run("--profile", "ci", "config", "get", "journal").out());

    Cli.Result list = bare().run("--profile", "other", "config", "list");
    assertEquals("  default\n* other\n  ci\n", list.out());

    Cli.Result refused = bare().run("--profile", "ci", "config", "set", "retries", "many");
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("not a whole number"), refused.err());
    Cli.Result quoted = bare().run("config", "set", "base-url", "\"https://ed.link\"");
    assertEquals(2, quoted.code(), quoted.toString());
    assertEquals(before + "\n[ci]\nretries = 6\n", Files.readString(file), "nothing changed");

    Cli.Result unset = bare().run("--profile", "ci", "config", "unset", "retries");
    assertEquals(0, unset.code(), unset.toString());
    assertEquals("", bare().run("--profile", "ci", "config", "get", "retries").out());
  }

  @Test
  void configShowMarksAnInvalidValueAndExits2() throws Exception {
    Files.writeString(configDir.resolve("config"), "[bad]\nretries = many\nbase-url = ftp://x\n");
    Cli.Result r = bare().run("--profile", "bad", "config", "show");
    assertEquals(2, r.code(), r.toString());
    assertTrue(line(r, "retries").endsWith("INVALID"), r.out());
    assertTrue(r.err().contains("retries = many is invalid"), r.err());
    assertTrue(r.err().contains("base-url = ftp://x is invalid"), r.err());
    // Overridden by a flag, the line says what the profile holds, which is why it still exits 2.
    Cli.Result flagged =
        bare().run("--profile", "bad", "--base-url", "https://ed.link", "config", "show");
    assertEquals(2, flagged.code(), flagged.toString());
    assertEquals(
        "base-url   https://ed.link  (flag --base-url)  (profile bad has ftp://x: INVALID)",
        line(flagged, "base-url"));
  }

  @Test
  void setTokenCreatesItsProfile() throws Exception {
    Cli.Result r =
        bare().stdin("sk-new-profile-token\n").run("--profile", "fresh", "config", "set-token");
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.readString(configDir.resolve("config")).endsWith("[fresh]\n"));
    Cli.Result show = bare().run("--profile", "fresh", "config", "show");
    assertEquals(0, show.code(), show.toString());
    assertTrue(line(show, "token").contains("set, never shown"), show.out());
  }

  @Test
  void configSetWritesThroughASymbolicLinkAndRefusesALineBreak() throws Exception {
    Path real = Files.createDirectories(tmp.resolve("dotfiles")).resolve("config");
    Files.move(configDir.resolve("config"), real);
    Files.createSymbolicLink(configDir.resolve("config"), real);
    Cli.Result set = bare().run("config", "set", "retries", "7");
    assertEquals(0, set.code(), set.toString());
    assertTrue(Files.isSymbolicLink(configDir.resolve("config")), "still a link");
    assertTrue(Files.readString(real).contains("retries = 7"), Files.readString(real));

    String before = Files.readString(real);
    Cli.Result broken = bare().run("config", "set", "journal", "/tmp/a\n[ci]");
    assertEquals(2, broken.code(), broken.toString());
    assertTrue(broken.err().contains("line break"), broken.err());
    assertEquals(before, Files.readString(real), "nothing changed");
  }

  @Test
  void setTokenStoresNothingWhenItCannotAddItsProfile() throws Exception {
    Files.writeString(configDir.resolve("config"), "[default]\nnot a line\n");
    Cli.Result r = bare().stdin("sk-never-stored\n").run("--profile", "ci", "config", "set-token");
    assertEquals(2, r.code(), r.toString());
    assertTrue(!Files.exists(configDir.resolve("tokens").resolve("ci")), "no token stored");
  }

  @Test
  void twoConfigSetsAtOnceBothCount() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<Integer> codes = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    for (int i = 0; i < 6; i++) {
      String profile = "p" + i;
      Thread t =
          new Thread(
              () ->
                  codes.add(
                      bare().run("--profile", profile, "config", "set", "retries", "1").code()));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(0, 0, 0, 0, 0, 0), codes);
    String file = Files.readString(configDir.resolve("config"));
    for (int i = 0; i < 6; i++) {
      assertTrue(file.contains("[p" + i + "]\nretries = 1"), file);
    }
  }
}
