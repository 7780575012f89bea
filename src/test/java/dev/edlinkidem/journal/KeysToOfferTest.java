package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keys a shell's Tab offers come from the summary cache alone, and are the keys listing would
 * give wherever the cache is whole.
 */
class KeysToOfferTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");

  @TempDir Path tmp;
  private Path dir;

  @BeforeEach
  void journalSome() throws Exception {
    dir = tmp.resolve("j");
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < 40; i++) {
        // Every third entry stays pending; "ab-" and "cd-" keys share their beginnings.
        String key = (i % 2 == 0 ? "ab-" : "cd-") + i;
        CompactionTest.write(journal, key, "{\"n\":" + i + "}", T0.plusSeconds(i), i % 3 != 0);
      }
    }
  }

  private Set<String> offered(String prefix, boolean pendingOnly) throws Exception {
    try (FileJournal journal = FileJournal.open(dir)) {
      return new TreeSet<>(journal.keysToOffer(prefix, pendingOnly));
    }
  }

  /** What list --format keys gives, filtered the same way. */
  private Set<String> listed(String prefix, boolean pendingOnly) throws Exception {
    Set<String> keys = new TreeSet<>();
    try (FileJournal journal = FileJournal.open(dir)) {
      for (EntrySummary s : journal.summaries()) {
        if (s.key().startsWith(prefix) && (!pendingOnly || s.state() == EntryState.PENDING)) {
          keys.add(s.key());
        }
      }
    }
    return keys;
  }

  @Test
  void theSameKeysAsListingByPrefixAndState() throws Exception {
    for (String prefix : List.of("", "ab-", "cd-1", "cd-39", "zz", "ab-0-longer")) {
      for (boolean pendingOnly : List.of(true, false)) {
        assertEquals(
            listed(prefix, pendingOnly),
            offered(prefix, pendingOnly),
            prefix + (pendingOnly ? " pending" : ""));
      }
    }
    assertEquals(14, offered("", true).size());
  }

  @Test
  void aKeyThatFinishedOrWasRemovedIsNoLongerOfferedAsPending() throws Exception {
    assertTrue(offered("", true).contains("ab-0"));
    try (FileJournal journal = FileJournal.open(dir);
        Journal.Lease lease = journal.lease("ab-0")) {
      lease.recordOutcome(
          new Outcome(
              EntryState.SUCCEEDED,
              T0.plusSeconds(100),
              new RecordedResponse(200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
              "replay"));
    }
    assertTrue(!offered("", true).contains("ab-0"));
    assertTrue(offered("", false).contains("ab-0"));
    try (FileJournal journal = FileJournal.open(dir)) {
      journal.remove(List.of("cd-1", "cd-3"), false);
    }
    assertTrue(!offered("cd-", false).contains("cd-1"));
    assertEquals(listed("", false), offered("", false));
    assertEquals(listed("", true), offered("", true));
  }

  @Test
  void aDamagedOrTornLineIsSkippedAndTheRestStillOffered() throws Exception {
    Path cache = dir.resolve("summary.tsv");
    String text = Files.readString(cache);
    // Damage the lines of one pending key (their checksums no longer match), and tear a last line.
    assertTrue(text.contains("E\tab-6\t"), text);
    text =
        text.lines()
            .map(l -> l.startsWith("E\tab-6\t") ? l.replace("\tpending\t", "\tpendinG\t") : l)
            .collect(Collectors.joining("\n", "", "\n"));
    Files.writeString(cache, text + "E\tab-99\t00\t1");
    Set<String> pending = offered("", true);
    Set<String> expected = new TreeSet<>(listed("", true));
    expected.remove("ab-6");
    assertEquals(expected, pending);
  }

  @Test
  void withoutACacheTheJournalIsReadAsListingReadsIt() throws Exception {
    Files.delete(dir.resolve("summary.tsv"));
    Set<String> fromFiles = offered("", true);
    assertEquals(14, fromFiles.size());
    assertEquals(listed("", true), fromFiles);
  }

  @Test
  void aDirectoryInTheCachesPlaceIsReadAsListingReadsIt() throws Exception {
    Files.delete(dir.resolve("summary.tsv"));
    Files.createDirectory(dir.resolve("summary.tsv"));
    assertEquals(14, offered("", true).size());
    assertEquals(listed("", false), offered("", false));
  }

  @Test
  void aStretchLongerThanAnyLineIsSkippedAndTheLinesAroundItOffered() throws Exception {
    Path cache = dir.resolve("summary.tsv");
    String text = Files.readString(cache);
    int half = text.indexOf('\n', text.length() / 2) + 1;
    byte[] junk = new byte[20 << 20];
    java.util.Arrays.fill(junk, (byte) 'x');
    try (var out = Files.newOutputStream(cache)) {
      out.write(text.substring(0, half).getBytes(StandardCharsets.UTF_8));
      out.write(junk);
      out.write('\n');
      out.write(text.substring(half).getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(listed("", true), offered("", true));
  }

  @Test
  void anAbsentJournalOffersNothing() throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("none"))) {
      assertEquals(List.of(), journal.keysToOffer("", false));
    }
    assertTrue(Files.notExists(tmp.resolve("none")), "nothing created");
  }

  @Test
  void newlinesAreFoundAtEveryPositionOfAWord() {
    for (int length = 0; length < 40; length++) {
      for (int at = -1; at < length; at++) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
          b[i] = (byte) (i % 3 == 0 ? 0x0b : i % 3 == 1 ? 0x8a : 0x09); // near '\n', not it
        }
        if (at >= 0) {
          b[at] = '\n';
          if (at + 1 < length) {
            b[at + 1] = '\n'; // a second one right after: the first is the one found
          }
        }
        for (int from = 0; from <= length; from++) {
          int expected =
              at >= from ? at : at + 1 >= from && at + 1 < length && at >= 0 ? at + 1 : -1;
          assertEquals(
              expected, SummaryCache.newline(b, from, length), length + "/" + at + "/" + from);
        }
      }
    }
  }

  @Test
  void anAppendedLineWinsOverAnEarlierOne() throws Exception {
    // A rewrite keeps one line per key; appends after it are what a post adds.
    try (FileJournal journal = FileJournal.open(dir)) {
      CompactionTest.write(journal, "ab-late", "{\"n\":99}", T0.plusSeconds(99), false);
    }
    List<String> keys;
    try (FileJournal journal = FileJournal.open(dir)) {
      keys = new ArrayList<>(journal.keysToOffer("ab-", true));
    }
    assertEquals("ab-late", keys.get(0), "newest first: " + keys);
  }
}
