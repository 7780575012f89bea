package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.JournaledRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal never follows a symbolic link inside itself: a link planted where one of its files or
 * directories should be (a CI artifact from another job, a crafted directory) is refused, and
 * whatever it points to is left exactly as it was, never read into the journal, written or deleted.
 */
class LinksTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  @TempDir Path tmp;
  private Path dir;
  private Path outside;

  @BeforeEach
  void setUp() throws IOException {
    dir = tmp.resolve("journal");
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("thesis.txt"), "four years of work\n");
    Files.writeString(outside.resolve("notes.jsonl"), "{\"mine\":true}\n");
    Files.setPosixFilePermissions(
        outside.resolve("notes.jsonl"), PosixFilePermissions.fromString("rw-r--r--"));
  }

  private static JournaledRequest request(String body) {
    return new JournaledRequest(
        "POST",
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        Map.of("Content-Type", "application/json"),
        body.getBytes(StandardCharsets.UTF_8));
  }

  /** Every file under the outside directory, with its mode and bytes. */
  private String snapshotOutside() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(outside)) {
      for (Path f : files.sorted().toList()) {
        all.writeBytes(
            (f + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(f)) + "\n")
                .getBytes(StandardCharsets.UTF_8));
        if (Files.isRegularFile(f)) {
          all.writeBytes(Files.readAllBytes(f));
        }
      }
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  private void journalPending(String key) throws Exception {
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease(key)) {
      lease.begin(request("{\"title\":\"" + key + "\"}"), T0);
    }
  }

  private static Attempt lost() {
    return new Attempt(1, T0, Duration.ofMillis(5), Attempt.Result.NO_RESPONSE, 0, "reset", null);
  }

  private static void assertRefusedAsLink(JournalException e) {
    assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
  }

  @Test
  void aTxnLinkIsNeitherRecoveredThroughNorEmptied() throws Exception {
    journalPending("k1");
    Files.createSymbolicLink(new Layout(dir).txn(), outside);
    String before = snapshotOutside();

    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, journal::summaries));
      assertRefusedAsLink(assertThrows(JournalException.class, journal::entries));
      assertRefusedAsLink(
          assertThrows(JournalException.class, () -> journal.remove(List.of("k1"), false)));
    }
    try (FileJournal source = FileJournal.openToRead(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, source::entries));
    }
    assertEquals(before, snapshotOutside());
  }

  @Test
  void anEntryFileThatIsALinkIsNotReadOrAppendedThrough() throws Exception {
    journalPending("k1");
    Path file = JournalFiles.fileOf(dir, "k1");
    Files.delete(file);
    Files.createSymbolicLink(file, outside.resolve("notes.jsonl"));
    String before = snapshotOutside();

    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, () -> journal.find("k1")));
      try (Journal.Lease lease = journal.lease("k1")) {
        assertRefusedAsLink(assertThrows(JournalException.class, lease::entry));
        assertThrows(JournalException.class, () -> lease.recordAttempt(lost()));
      }
      assertRefusedAsLink(assertThrows(JournalException.class, journal::entries));
    }
    assertEquals(before, snapshotOutside());
  }

  @Test
  void anEntryFileThatIsALinkToNothingIsRefusedAndNeitherBegunThroughNorCreated() throws Exception {
    journalPending("k0"); // makes entries/
    Path file = JournalFiles.fileOf(dir, "k1");
    Files.createDirectories(file.getParent());
    Path nowhere = outside.resolve("absent.jsonl");
    Files.createSymbolicLink(file, nowhere);

    try (FileJournal journal = FileJournal.open(dir)) {
      // A link where a key's file belongs is not the key being new: it is refused, loudly.
      assertRefusedAsLink(assertThrows(JournalException.class, () -> journal.find("k1")));
      assertRefusedAsLink(assertThrows(JournalException.class, journal::entries));
      try (Journal.Lease lease = journal.lease("k1")) {
        assertRefusedAsLink(
            assertThrows(
                JournalException.class, () -> lease.begin(request("{\"title\":\"k1\"}"), T0)));
      }
    }
    assertFalse(Files.exists(nowhere), "the link's target was not created");
    assertTrue(Files.isSymbolicLink(file));
  }

  @Test
  void anEntryFileThatIsALinkToItselfIsRefusedNotTakenForAbsent() throws Exception {
    // The kernel answers "no such file" for neither: Files.exists is false for a loop.
    journalPending("k0");
    Path file = JournalFiles.fileOf(dir, "k1");
    Files.createDirectories(file.getParent());
    Files.createSymbolicLink(file, file.getFileName());

    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, () -> journal.find("k1")));
      try (Journal.Lease lease = journal.lease("k1")) {
        assertThrows(JournalException.class, lease::entry);
      }
    }
  }

  @Test
  void aTxnLinkToNothingIsRefusedAndNothingIsMadeThroughIt() throws Exception {
    journalPending("k1");
    Path nowhere = outside.resolve("absent-txn");
    Files.createSymbolicLink(new Layout(dir).txn(), nowhere);

    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, journal::entries));
    }
    assertThrows(JournalException.class, () -> journalPending("k2"));
    assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS), "nothing made through it");
  }

  @Test
  void aKeyDirectoryThatIsALinkIsNotWrittenInto() throws Exception {
    journalPending("k1");
    Path keyDir = JournalFiles.fileOf(dir, "k2").getParent();
    if (Files.exists(keyDir)) {
      try (Stream<Path> files = Files.list(keyDir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(keyDir);
    }
    Files.createSymbolicLink(keyDir, outside);
    String before = snapshotOutside();

    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("k2")) {
      assertRefusedAsLink(assertThrows(JournalException.class, lease::entry));
      assertRefusedAsLink(
          assertThrows(JournalException.class, () -> lease.begin(request("{}"), T0)));
    }
    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, journal::entries));
    }
    assertEquals(before, snapshotOutside());
  }

  @Test
  void theCacheAndTheLockAndTheUnreadableFileAreNotFollowed() throws Exception {
    for (String name : List.of(Layout.CACHE, Layout.LOCK, Layout.UNREADABLE)) {
      journalPending("k1");
      Path in = dir.resolve(name);
      Files.deleteIfExists(in);
      Files.createSymbolicLink(in, outside.resolve("notes.jsonl"));
      String before = snapshotOutside();

      try (FileJournal journal = FileJournal.open(dir)) {
        JournalException e =
            assertThrows(
                JournalException.class,
                () -> {
                  journal.summaries();
                  try (Journal.Lease lease = journal.lease("k3")) {
                    lease.begin(request("{}"), T0);
                  }
                  // A damaged record is kept aside in unreadable.jsonl by a removal.
                  Files.writeString(
                      JournalFiles.fileOf(dir, "k1"),
                      "not a record\n",
                      java.nio.file.StandardOpenOption.APPEND);
                  journal.remove(List.of("k1"), false);
                },
                name);
        assertRefusedAsLink(e);
      }
      assertEquals(before, snapshotOutside(), name);
      Files.delete(in);
      deleteTree(dir);
    }
  }

  @Test
  void aVersion1LogThatIsALinkIsNotMigratedOrChanged() throws Exception {
    Files.createDirectories(dir);
    Files.createSymbolicLink(new Layout(dir).v1Log(), outside.resolve("notes.jsonl"));
    String before = snapshotOutside();
    try (FileJournal journal = FileJournal.open(dir)) {
      assertRefusedAsLink(assertThrows(JournalException.class, journal::summaries));
      try (Journal.Lease lease = journal.lease("k1")) {
        assertRefusedAsLink(
            assertThrows(JournalException.class, () -> lease.begin(request("{}"), T0)));
      }
    }
    assertEquals(before, snapshotOutside());
  }

  @Test
  void aSourceOpenedToReadIsNotWrittenHealedOrRecovered() throws Exception {
    journalPending("k1");
    journalPending("k2");
    Layout layout = new Layout(dir);
    Files.delete(layout.cache()); // a reader that may heal rebuilds it
    Files.createDirectories(layout.txn()); // a change never committed: thrown away by a writer
    Files.writeString(layout.txn().resolve("plan"), "half a plan\n");
    String before = tree(dir);

    try (FileJournal source = FileJournal.openToRead(dir)) {
      assertEquals(2, source.entries().size());
      assertEquals(2, source.summaries().size());
    }
    assertEquals(before, tree(dir), "not one byte of the source changed");

    Files.writeString(layout.txn().resolve(Transaction.COMMIT), "edlink-idem change, format 2\n");
    try (FileJournal source = FileJournal.openToRead(dir)) {
      JournalException e = assertThrows(JournalException.class, source::entries);
      assertTrue(e.getMessage().contains("unfinished"), e.getMessage());
    }
    assertTrue(Files.exists(layout.txn().resolve(Transaction.COMMIT)), "left for its owner");
  }

  private static String tree(Path root) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted().toList()) {
        all.append(root.relativize(f)).append('\n');
        if (Files.isRegularFile(f)) {
          all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
        }
      }
    }
    return all.toString();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  @Test
  void anEntryFileWithAnotherHardLinkIsNotWrittenThrough() throws Exception {
    journalPending("linked-1");
    Path file = new Layout(dir).entryFile(Layout.hash("linked-1"));
    Path victim = outside.resolve("notes.jsonl");
    Files.delete(victim);
    Files.createLink(victim, file); // as cp -al would leave it
    String before = snapshotOutside();
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("linked-1")) {
      lease.entry();
      JournalException e = assertThrows(JournalException.class, () -> lease.recordAttempt(lost()));
      assertTrue(e.getMessage().contains("other hard link"), e.getMessage());
    }
    assertEquals(before, snapshotOutside(), "nothing appended through the other name");
  }

  @Test
  void aKeyWhoseBeginRecordIsDamagedIsNotJournaledAgainAsNew() throws Exception {
    journalPending("damaged-1");
    Path file = new Layout(dir).entryFile(Layout.hash("damaged-1"));
    String text = Files.readString(file);
    Files.writeString(file, text.replace("\"POST\"", "\"POSU\"")); // a byte changed: checksum
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("damaged-1")) {
      assertTrue(lease.entry().isEmpty());
      JournalException e =
          assertThrows(
              JournalException.class, () -> lease.begin(request("{\"title\":\"again\"}"), T0));
      assertTrue(e.getMessage().contains("may be this key's earlier request"), e.getMessage());
    }
    // A crash's torn last line is not damage: the key is journaled as new.
    Path torn = new Layout(dir).entryFile(Layout.hash("torn-1"));
    Files.createDirectories(torn.getParent());
    Files.writeString(torn, "{\"v\":2,\"type\":\"begin\",\"key\":\"torn-1\",\"at");
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("torn-1")) {
      assertTrue(lease.entry().isEmpty());
      lease.begin(request("{\"title\":\"new\"}"), T0);
    }
  }
}
