package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.request.JournaledRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories the user did not make for the tool: a journal from another job with a link planted in
 * it, and a directory shared with others. Each is refused in one line; nothing outside is read,
 * written or deleted, and no one else's directory changes mode.
 */
class HostileDirectoriesTest {
  @TempDir Path tmp;

  private Cli cli() {
    return new Cli()
        .env("HOME", tmp.toString())
        .env("XDG_CONFIG_HOME", tmp.resolve("config").toString())
        .env("EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString());
  }

  /** A journal with one pending entry, as another job's artifact would bring it. */
  private Path artifact() throws Exception {
    Path dir = tmp.resolve("artifact");
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("from-the-fork")) {
      lease.begin(
          new JournaledRequest(
              "POST",
              "https://ed.link/api/v2/graph/classes/c1/assignments",
              Map.of("Content-Type", "application/json"),
              "{}".getBytes(StandardCharsets.UTF_8)),
          Instant.parse("2026-11-01T08:00:00Z"));
    }
    return dir;
  }

  private Path precious() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(dir.resolve("a.txt"), "keep me\n");
    Files.writeString(dir.resolve("b.txt"), "and me\n");
    return dir;
  }

  private static List<String> names(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aTxnLinkInAnArtifactDeletesNothingWhetherMergedOrUsed() throws Exception {
    Path artifact = artifact();
    Path precious = precious();
    Files.createSymbolicLink(artifact.resolve("txn"), precious);

    Cli.Result merged = cli().run("journal", "merge", artifact.toString());
    assertEquals(2, merged.code(), merged.toString());
    assertTrue(merged.err().contains("symbolic link"), merged.err());
    assertEquals(1, merged.err().lines().count(), merged.err());

    Cli.Result used = cli().run("--journal", artifact.toString(), "list");
    assertEquals(1, used.code(), used.toString());
    assertTrue(used.err().contains(artifact.resolve("txn") + " is a symbolic link"), used.err());

    assertEquals(List.of("a.txt", "b.txt"), names(precious));
    assertEquals("keep me\n", Files.readString(precious.resolve("a.txt")));
  }

  @Test
  void aSharedDirectoryIsRefusedAndKeepsItsMode() throws Exception {
    Path shared = Files.createDirectories(tmp.resolve("shared"));
    Files.setAttribute(shared, "unix:mode", 01777);

    Cli.Result r = cli().run("--journal", shared.toString(), "list");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("shared with others (mode 1777)"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertEquals(01777, (Integer) Files.getAttribute(shared, "unix:mode") & 07777);
    assertFalse(Files.exists(shared.resolve("journal.lock")));
  }

  @Test
  void aDirectoryOfAnotherUserIsRefusedAndKeepsItsMode() throws Exception {
    Path theirs;
    if ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0) {
      theirs = Files.createDirectories(tmp.resolve("theirs"));
      Files.setAttribute(theirs, "unix:uid", 65534); // root can give it away: nobody's now
      Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwxr-xr-x"));
    } else {
      theirs = Path.of("/usr"); // root's, on every machine this runs on
    }
    Cli.Result r = cli().run("--journal", theirs.toString(), "list");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("belongs to another user"), r.err());
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(theirs)));
  }
}
