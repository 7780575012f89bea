package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The journal's storage failing under the command line: a full file system, a torn or corrupt
 * record, a journal left by format 1. Each is one clear line on stderr and never a request sent
 * without its journal entry.
 */
class StorageFaultsTest extends SandboxCase {
  private static final String OTHER =
      "{\"title\":\"Quiz\",\"description\":\"q\",\"due_date\":\"2026-12-02T23:59:00Z\",\"grading_type\":\"points\"}";

  private static String sh(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue() == 0 ? null : out.isEmpty() ? "exit " + p.exitValue() : out;
  }

  /**
   * Work on a 64 KiB tmpfs mounted at {@code dir}; skipped, with the reason, where mounting is not
   * allowed.
   */
  private interface OnSmallDisk {
    void run(Path dir) throws Exception;
  }

  private void onSmallDisk(OnSmallDisk work) throws Exception {
    Path mount = Files.createDirectories(tmp.resolve("small"));
    String failed =
        sh("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", mount.toString());
    Assumptions.assumeTrue(
        failed == null,
        "a full file system needs a tmpfs mounted, which needs root (user "
            + System.getProperty("user.name")
            + "): "
            + failed);
    try {
      work.run(mount);
    } finally {
      if (sh("umount", mount.toString()) != null) {
        sh(
            "umount",
            "-l",
            mount.toString()); // a file still open somewhere: detach it now, freed when closed
      }
    }
  }

  /**
   * Writes until the file system refuses: first whole pages, then the bytes left in the last one.
   */
  private static void fill(Path dir) throws IOException {
    try (OutputStream out = Files.newOutputStream(dir.resolve("filler"))) {
      byte[] page = new byte[4096];
      for (int size : new int[] {page.length, 1}) {
        try {
          while (true) {
            out.write(page, 0, size);
            out.flush();
          }
        } catch (IOException full) {
          // full at this grain; try the next, smaller one
        }
      }
    } catch (IOException closingAFullFile) {
      // the last buffered byte could not go either
    }
    assertTrue(Files.getFileStore(dir).getUsableSpace() < 4096, "the file system is full");
  }

  private static void oneLineNoStackTrace(Cli.Result r) {
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
  }

  /** A command that did its job on a damaged journal warns in one line, beside its usual ones. */
  private static void oneWarning(Cli.Result r) {
    assertEquals(
        1, r.err().lines().filter(l -> l.startsWith("edlink-idem: warning:")).count(), r.err());
    assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.err());
  }

  @Test
  void aFullFileSystemUnderAJournalInUseGivesExit1AndSendsNothing() throws Exception {
    onSmallDisk(
        disk -> {
          Path journal = disk.resolve("journal");
          Cli cli = cli().env("EDLINK_IDEM_JOURNAL", journal.toString());
          Cli.Result before = cli.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "before-full");
          assertEquals(0, before.code(), before.toString());
          fill(disk);
          int requests = stat("requests");

          Cli.Result r = cli.run("post", ASSIGNMENTS, "-d", OTHER, "-k", "on-full");

          assertEquals(1, r.code(), r.toString());
          oneLineNoStackTrace(r);
          assertTrue(r.err().contains("nothing was sent"), r.err());
          assertTrue(r.err().contains("space"), "says why: " + r.err());
          assertEquals(requests, stat("requests"), "nothing sent");
          assertEquals(1, stat("creates"));
          assertEquals(0, r.stdout().length);

          // The failed write left nothing half-written: the journal reads as before, even while
          // full.
          try (FileJournal j = FileJournal.open(journal)) {
            assertEquals(List.of("before-full"), j.entries().stream().map(Entry::key).toList());
            assertEquals(List.of(), j.problems());
          }
          Cli.Result read = cli.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "before-full");
          assertEquals(0, read.code(), "a recorded answer still reads on a full disk: " + read);
          assertEquals(requests, stat("requests"));

          Files.delete(disk.resolve("filler"));
          Cli.Result again = cli.run("post", ASSIGNMENTS, "-d", OTHER, "-k", "on-full");
          assertEquals(0, again.code(), "with room again, the same post goes through: " + again);
          assertEquals(2, stat("creates"));
          try (FileJournal j = FileJournal.open(journal)) {
            assertEquals(
                List.of("before-full", "on-full"), j.entries().stream().map(Entry::key).toList());
            assertEquals(List.of(), j.problems());
          }
        });
  }

  @Test
  void aFullFileSystemUnderANewJournalGivesExit1AndSendsNothing() throws Exception {
    onSmallDisk(
        disk -> {
          fill(disk);
          Cli.Result r =
              cli()
                  .run(
                      "--journal",
                      disk.resolve("journal").toString(),
                      "post",
                      ASSIGNMENTS,
                      "-d",
                      ESSAY,
                      "-k",
                      "first-on-full");
          assertEquals(1, r.code(), r.toString());
          oneLineNoStackTrace(r);
          assertTrue(r.err().contains("nothing was sent"), r.err());
          assertEquals(0, stat("requests"), "nothing sent");
        });
  }

  @Test
  void aTornLastRecordIsReportedInOneLineAndAReplayFinishesTheKey() throws Exception {
    sandbox.setFaults(
        faults(0, 1, 0, 0, java.time.Duration.ZERO)); // every request dropped before the work
    Cli.Result pending =
        cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "torn-1", "--retries", "0");
    assertEquals(6, pending.code(), pending.toString());
    sandbox.setFaults(faults(0, 0, 0, 0, java.time.Duration.ZERO));
    Path file = onlyEntryFile();
    byte[] whole = Files.readAllBytes(file);
    String tail =
        "{\"v\":2,\"type\":\"attempt\",\"key\":\"torn-1\",\"at\":\"2026-11-2"; // a crash mid-record
    Files.write(
        file, tail.getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);

    Cli.Result show = cli().run("show", "torn-1");
    assertEquals(0, show.code(), show.toString());
    oneWarning(show);
    assertTrue(
        show.err().contains("1 unreadable record") && show.err().contains("torn"), show.err());
    assertTrue(show.err().contains(file + " line 3"), show.err());

    Cli.Result replay = cli().run("replay", "torn-1");
    assertEquals(0, replay.code(), replay.toString());
    assertEquals(1, stat("creates"));
    Entry e = entry("torn-1");
    assertEquals(EntryState.SUCCEEDED, e.state());
    assertEquals(2, e.attempts().size());
    byte[] now = Files.readAllBytes(file);
    assertArrayEquals(
        whole,
        java.util.Arrays.copyOf(now, whole.length),
        "nothing before the torn record changed");
    assertEquals(
        5,
        new String(now, StandardCharsets.UTF_8).lines().count(),
        "begin, attempt, torn, attempt, outcome");
  }

  @Test
  void aFlippedByteIsReportedAndTheEntryStillAnswers() throws Exception {
    Cli.Result first = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "flip-1");
    assertEquals(0, first.code(), first.toString());
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", OTHER, "-k", "flip-2").code());
    Path file = JournalFilesOf.entry(journalDir(), "flip-1");
    byte[] bytes = Files.readAllBytes(file);
    int attempt = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\"type\":\"attempt\"");
    bytes[attempt + 9] ^= 0x01; // "attempt" -> "`ttempt"
    Files.write(file, bytes);

    Cli.Result again = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "flip-1");
    assertEquals(0, again.code(), again.toString());
    assertArrayEquals(first.stdout(), again.stdout(), "the recorded answer, from the records left");
    oneWarning(again);
    assertTrue(
        again.err().contains("1 unreadable record") && again.err().contains("checksum"),
        again.err());
    assertEquals(2, stat("requests"), "nothing sent again");
    Cli.Result other = cli().run("show", "flip-2");
    assertEquals(0, other.code(), other.toString());
    // The entry was cached as finished before the damage; reading it taught the cache, so that
    // listing, which trusts finished lines without reading their files, now reports it too.
    Cli.Result list = cli().run("list", "--format", "keys");
    assertEquals(0, list.code(), list.toString());
    assertTrue(list.err().contains("1 unreadable record"), "list learned of the damage: " + list);
  }

  @Test
  void aFormat1JournalIsListedAndMovedByTheFirstPost() throws Exception {
    // Private, as the tool makes journals: an open one would (rightly) add a warning.
    Files.createDirectories(
        journalDir(),
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    try (InputStream in =
        getClass().getResourceAsStream("/dev/edlinkidem/journal/v1/journal.jsonl")) {
      Files.write(journalDir().resolve("journal.jsonl"), in.readAllBytes());
    }
    Cli.Result list = cli().run("list", "--format", "jsonl");
    assertEquals(0, list.code(), list.toString());
    assertEquals("", list.err());
    assertEquals(3, list.out().lines().count(), list.out());
    assertTrue(list.out().contains("v1-pending-0002"), list.out());
    assertTrue(Files.isRegularFile(journalDir().resolve("journal.jsonl")), "listing moves nothing");

    Cli.Result post = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "after-v1");
    assertEquals(0, post.code(), post.toString());
    assertTrue(Files.isDirectory(journalDir().resolve("journal.jsonl")), "moved into format 2");
    assertTrue(Files.isRegularFile(journalDir().resolve("journal.jsonl.v1-migrated")));
    Cli.Result after = cli().run("list", "--format", "jsonl");
    assertEquals(0, after.code(), after.toString());
    assertEquals(4, after.out().lines().count(), after.out());
    Cli.Result show = cli().run("show", "v1-failed-0003");
    assertEquals(0, show.code(), show.toString());
    assertEquals("", show.err());
  }

  private Path onlyEntryFile() throws IOException {
    try (var files = Files.walk(journalDir().resolve("entries"))) {
      List<Path> all = files.filter(f -> f.toString().endsWith(".jsonl")).toList();
      assertEquals(1, all.size(), all.toString());
      return all.get(0);
    }
  }

  /** Where a key's records are: entries/ab/ab12…ef.jsonl, named by the key's SHA-256. */
  private static final class JournalFilesOf {
    static Path entry(Path dir, String key) throws Exception {
      byte[] hash =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(key.getBytes(StandardCharsets.UTF_8));
      String hex = java.util.HexFormat.of().formatHex(hash);
      return dir.resolve("entries").resolve(hex.substring(0, 2)).resolve(hex + ".jsonl");
    }
  }
}
