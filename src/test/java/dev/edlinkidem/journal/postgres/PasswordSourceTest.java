package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordSourceTest {
  private static final PostgresTarget CI =
      PostgresTarget.parse("postgres://ci@db:5432/edlink", "t");

  @TempDir Path home;
  private final List<String> warnings = new ArrayList<>();

  private Path file(String name, String text, String mode) throws Exception {
    Path f = Files.writeString(home.resolve(name), text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  private PasswordSource.Found find(Map<String, String> env, Path profileFile) {
    return PasswordSource.find(CI, env, home, profileFile, warnings::add);
  }

  @Test
  void pgpasswordFirstThenTheProfilesFileThenPgpass() throws Exception {
    Path profile = file("journal-password", "from-profile\n", "rw-------");
    file(".pgpass", "db:5432:edlink:ci:from-pgpass\n", "rw-------");
    assertEquals("from-env", find(Map.of("PGPASSWORD", "from-env"), profile).password());
    PasswordSource.Found fromProfile = find(Map.of(), profile);
    assertEquals("from-profile", fromProfile.password());
    assertEquals("the profile's journal-password-file", fromProfile.source());
    assertEquals("from-pgpass", find(Map.of(), null).password());
    assertTrue(find(Map.of(), null).toString().contains("never shown"));
  }

  @Test
  void pgpassLinesMatchAsLibpqMatchesThem() {
    List<String> lines =
        List.of(
            "# comment",
            "other:5432:edlink:ci:no",
            "db:5432:*:someone-else:no",
            "db:*:edlink:ci:p\\:w\\\\d:with-colon",
            "*:*:*:*:fallback");
    assertEquals("p:w\\d:with-colon", PasswordSource.lookUp(lines, CI, Map.of()));
    PostgresTarget other = PostgresTarget.parse("postgres://x@elsewhere/j", "t");
    assertEquals("fallback", PasswordSource.lookUp(lines, other, Map.of()));
    PostgresTarget noUser = PostgresTarget.parse("postgres://db/edlink", "t");
    assertEquals(
        "p:w\\d:with-colon",
        PasswordSource.lookUp(lines, noUser, Map.of("PGUSER", "ci")),
        "no user in the URL: PGUSER's");
  }

  @Test
  void aPgpassOpenToOthersIsNotReadAndSaysSo() throws Exception {
    file(".pgpass", "*:*:*:*:open\n", "rw-r--r--");
    assertNull(find(Map.of(), null));
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("mode 0600"), warnings.get(0));
    Path named = file("named-pgpass", "*:*:*:*:named\n", "rw-------");
    assertEquals("named", find(Map.of("PGPASSFILE", named.toString()), null).password());
  }

  @Test
  void aProfileFileThatCannotBeUsedIsRefused() throws Exception {
    Path open = file("open", "pw\n", "rw-r--r--");
    Path empty = file("empty", "\n", "rw-------");
    for (Path p : List.of(open, empty, home.resolve("missing"))) {
      PostgresSettingException e =
          assertThrows(PostgresSettingException.class, () -> find(Map.of(), p));
      assertTrue(e.getMessage().startsWith("the journal-password-file"), e.getMessage());
    }
  }

  @Test
  void noneAnywhereIsNoPassword() {
    assertNull(find(Map.of(), null));
  }
}
