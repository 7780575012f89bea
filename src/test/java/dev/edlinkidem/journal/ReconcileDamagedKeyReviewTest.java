package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.e2e.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of e115563 (reconcile KEY through KeyResolver.entry): a key whose summary stands but whose
 * records are damaged. On b8902f8 reconcile said "already final" from its summary, exit 0. Now it
 * exits 2 ("bad input or no token" in its help; "journal unreadable" is 1) saying "(see above)",
 * and nothing is above: JournalAccess.with reports the journal's problems only after work that
 * returned.
 */
class ReconcileDamagedKeyReviewTest {
  @TempDir Path tmp;

  @Test
  void reconcileOfAKeyWhoseRecordsAreDamagedSaysWhatIsTrue() throws Exception {
    Path dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "abcdefgh-1", "{}", Instant.now(), true);
    }
    Path file = new Layout(dir).entryFile(Layout.hash("abcdefgh-1"));
    byte[] bytes = Files.readAllBytes(file);
    bytes[20] ^= 0x01; // inside the begin record
    Files.write(file, bytes);
    Cli.Result r =
        new Cli()
            .env("HOME", tmp.toString())
            .env("XDG_CONFIG_HOME", tmp.resolve("c").toString())
            .env("XDG_STATE_HOME", tmp.resolve("s").toString())
            .env("EDLINK_TOKEN", "t")
            .env("EDLINK_BASE_URL", "http://127.0.0.1:9")
            .run("--journal", dir.toString(), "reconcile", "abcdefgh-1");
    assertNotEquals(2, r.code(), "a damaged journal is not bad input: " + r);
    assertTrue(
        !r.err().contains("see above") || r.err().contains("unreadable record"),
        "says 'see above' with nothing above: " + r);
  }
}
