package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The likely mistakes get a hint and send nothing; a {@code ~} the shell left alone means the home
 * directory, as it would have.
 */
class HintsTest extends SandboxCase {
  @Test
  void aFileNameGivenAsTheBodyAsksWhetherTheFileWasMeant() throws Exception {
    Path body = Files.writeString(tmp.resolve("a.json"), ESSAY);
    Cli.Result r = cli().run("post", ASSIGNMENTS, "-d", body.toString());
    assertEquals(2, r.code(), r.toString());
    assertEquals(
        "edlink-idem: the body from -d is not JSON but the name of a file; did you mean -d @"
            + body
            + "?\n",
        r.err());
    assertEquals(0, stat("requests"));
    assertFalse(Files.exists(journalDir()) && entries().size() > 0, "nothing journaled");
  }

  @Test
  void aPathWithoutItsLeadingSlashAsksWhetherItWasMeant() {
    Cli.Result r = cli().run("post", ASSIGNMENTS.substring(1), "-d", ESSAY);
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("did you mean '" + ASSIGNMENTS + "'?"), r.err());
    assertEquals(0, stat("requests"));
  }

  @Test
  void aTildeTheShellDidNotExpandIsTheHomeDirectory() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("home"));
    Files.writeString(home.resolve("essay.json"), ESSAY);
    Cli.Result r =
        cli()
            .env("HOME", home.toString())
            .run("--journal=~/jt", "post", ASSIGNMENTS, "-d", "@~/essay.json", "-k", "tilde-1");
    assertEquals(0, r.code(), r.toString());
    assertTrue(Files.isDirectory(home.resolve("jt")), "the journal went to HOME/jt");
    assertFalse(Files.exists(Path.of("~")), "no directory named ~ in the working directory");
    assertEquals(1, stat("creates"));

    Cli.Result listed =
        cli().env("HOME", home.toString()).env("EDLINK_IDEM_JOURNAL", "~/jt").run("list");
    assertTrue(listed.out().contains("tilde-1"), listed.toString());
  }
}
