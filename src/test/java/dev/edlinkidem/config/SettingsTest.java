package dev.edlinkidem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each setting from a flag, else the environment, else the profile, else the default. */
class SettingsTest {
  @TempDir Path home;

  private final Map<String, String> env = new HashMap<>();
  private final List<String> warnings = new ArrayList<>();

  @BeforeEach
  void aHome() {
    env.put("HOME", home.toString());
  }

  private Settings settings(Settings.Flags flags) {
    return new Settings(flags, env, warnings::add);
  }

  private Settings settings() {
    return settings(Settings.Flags.NONE);
  }

  private void config(String text) throws Exception {
    Path dir = home.resolve(".config/edlink-idem");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config"), text);
  }

  @Test
  void theJournalComesFromTheFlagThenTheEnvironmentThenTheProfileThenTheStateDirectory()
      throws Exception {
    assertEquals(
        new Settings.Setting(home + "/.local/state/edlink-idem", "default"),
        settings().journalSetting());
    env.put("XDG_STATE_HOME", "relative/state"); // the XDG rules ignore a relative one
    assertEquals("default", settings().journalSetting().source());
    env.put("XDG_STATE_HOME", home + "/state");
    assertEquals(
        new Settings.Setting(home + "/state/edlink-idem", "default ($XDG_STATE_HOME)"),
        settings().journalSetting());
    config("[default]\njournal = ~/from-profile\n");
    assertEquals(
        new Settings.Setting(home + "/from-profile", "profile default"),
        settings().journalSetting());
    env.put("EDLINK_IDEM_JOURNAL", "/from/env");
    assertEquals(
        new Settings.Setting("/from/env", "environment EDLINK_IDEM_JOURNAL"),
        settings().journalSetting());
    assertEquals(
        new Settings.Setting("/from/flag", "flag --journal"),
        settings(new Settings.Flags("/from/flag", null, null)).journalSetting());
    assertThrows(
        SettingsException.class,
        () -> settings(new Settings.Flags(" ", null, null)).journalSetting());
  }

  @Test
  void theBaseUrlAndTheProfileFollowTheSameOrder() throws Exception {
    assertEquals(new Settings.Setting("https://ed.link", "default"), settings().baseUrlSetting());
    config("[default]\nbase-url = http://127.0.0.1:9\n[ci]\nbase-url = https://ci.example\n");
    assertEquals(URI.create("http://127.0.0.1:9"), settings().baseUrl());
    env.put("EDLINK_IDEM_PROFILE", "ci");
    assertEquals(
        new Settings.Setting("ci", "environment EDLINK_IDEM_PROFILE"), settings().profileSetting());
    assertEquals(
        new Settings.Setting("https://ci.example", "profile ci"), settings().baseUrlSetting());
    env.put("EDLINK_BASE_URL", "https://env.example");
    assertEquals("environment EDLINK_BASE_URL", settings().baseUrlSetting().source());
    Settings flagged = settings(new Settings.Flags(null, "https://flag.example", "default"));
    assertEquals(
        new Settings.Setting("https://flag.example", "flag --base-url"), flagged.baseUrlSetting());
    assertEquals(new Settings.Setting("default", "flag --profile"), flagged.profileSetting());
    assertTrue(
        assertThrows(
                SettingsException.class,
                () -> settings(new Settings.Flags(null, null, "nope")).profile())
            .getMessage()
            .startsWith("no profile [nope] in "));
    assertThrows(
        SettingsException.class,
        () -> settings(new Settings.Flags(null, null, "bad name")).profile());
  }

  @Test
  void retriesDefaultToFourAndAProfileValueMustBeAWholeNumber() throws Exception {
    assertEquals(Settings.DEFAULT_RETRIES, settings().retries(null));
    assertEquals(new Settings.Setting("4", "default"), settings().retriesSetting());
    assertEquals(9, settings().retries(9));
    config("[default]\nretries = 6\n");
    assertEquals(6, settings().retries(null));
    config("[default]\nretries = many\n");
    assertEquals(
        new Settings.Setting("many", "profile default"),
        settings().retriesSetting(),
        "shown as written");
    assertTrue(
        assertThrows(SettingsException.class, () -> settings().retries(null))
            .getMessage()
            .startsWith("retries = many in profile default of "));
  }

  @Test
  void theTokenComesFromTheFlagThenTheEnvironmentThenTheProfileThenTheStoredOne() throws Exception {
    assertNull(settings().tokenSetting(null));
    assertTrue(
        assertThrows(SettingsException.class, () -> settings().token(null))
            .getMessage()
            .startsWith("no token"));
    Path stored = home.resolve(".config/edlink-idem/tokens/default");
    Files.createDirectories(stored.getParent());
    Files.writeString(stored, "stored-token\n");
    Files.setPosixFilePermissions(stored, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals("stored-token", settings().token(null));
    assertEquals(
        1, warnings.size(), "a stored token open to others is closed, with a warning: " + warnings);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(stored)));
    Path profileToken = home.resolve("profile-token");
    Files.writeString(profileToken, "profile-token");
    config("[default]\ntoken-file = ~/profile-token\n");
    assertEquals("profile-token", settings().token(null));
    env.put("EDLINK_TOKEN", " env-token\n");
    assertEquals(
        new Settings.Setting(null, "environment EDLINK_TOKEN"), settings().tokenSetting(null));
    assertEquals("env-token", settings().token(null));
    Path flagToken = home.resolve("flag-token");
    Files.writeString(flagToken, "flag-token");
    assertEquals("flag-token", settings().token(flagToken));
  }

  @Test
  void aTokenThatCannotBeAHeaderOrIsTheWrongFileIsRefused() throws Exception {
    Path file = home.resolve("token");
    for (String bad : List.of("", "two words", "caf\u00e9", "a\u0000b")) {
      Files.writeString(file, bad);
      assertThrows(SettingsException.class, () -> settings().token(file), bad);
    }
    Files.write(file, new byte[64 * 1024 + 1]);
    assertTrue(
        assertThrows(SettingsException.class, () -> settings().token(file))
            .getMessage()
            .contains("64 KiB"));
    assertTrue(
        assertThrows(SettingsException.class, () -> settings().token(home.resolve("missing")))
            .getMessage()
            .endsWith(": no such file"));
  }

  @Test
  void theConfigurationLivesUnderXdgConfigHome() {
    assertEquals(home.resolve(".config/edlink-idem"), settings().configDir());
    env.put("XDG_CONFIG_HOME", home + "/cfg");
    assertEquals(home.resolve("cfg/edlink-idem"), settings().configDir());
    assertEquals(home.resolve("cfg/edlink-idem/tokens/ci"), settings().tokenFileOf("ci"));
    assertEquals(home + "/x", settings().expandHome("~/x"));
    assertEquals("/a/~/x", settings().expandHome("/a/~/x"));
  }
}
