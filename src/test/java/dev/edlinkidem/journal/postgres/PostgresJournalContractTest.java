package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.EntrySummary;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalContractTest;
import dev.edlinkidem.journal.Neighbours;
import dev.edlinkidem.journal.Selection;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journal contract on {@link PostgresJournal}, in a throw-away cluster (one for the class), its
 * tables dropped as each test opens its journal, which makes them again. Another handle is another
 * PostgresJournal with connections of its own, as another process would have.
 */
class PostgresJournalContractTest extends JournalContractTest {
  private static PostgresCluster cluster;
  private static Path dir;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    dir = Files.createTempDirectory("edlink-idem-pg-contract");
    cluster = PostgresCluster.start(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static PostgresJournal handle(Runnable partWay) throws Exception {
    return cluster.journal(cluster.jdbcUrl(), Duration.ofSeconds(30), partWay);
  }

  @Override
  protected Journal open() throws Exception {
    cluster.dropJournal(); // a new journal: the handle opened next makes the tables again
    return handle(() -> {});
  }

  @Override
  protected Journal openAgain() throws Exception {
    return handle(() -> {});
  }

  /** Stopped inside the transaction, after the first key's change: the transaction rolls back. */
  @Override
  protected Journal openStoppingPartWay() throws Exception {
    return handle(
        () -> {
          throw new IllegalStateException("stopped part-way, as a crash would stop it");
        });
  }

  /**
   * 20,000 keys written to {@code journal}'s tables, spread over the key space: the even ones in
   * threes that share their first 7 characters (6 of a hash, then '-'), the odd ones hashes that
   * share with none. Returns them newest first, as the journal lists them.
   */
  static List<String> keysSharingInThrees(PostgresCluster cluster, PostgresJournal journal)
      throws Exception {
    cluster.psql(
        "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
            + " attempts, method, url) select case when i % 2 = 0"
            + " then left(md5((i / 6)::text), 6) || '-' || i"
            + " else md5(i::text) end, i, i, 'pending', 0, 1, 'POST', 'https://h/p'"
            + " from generate_series(1, 20000) as i");
    List<String> all = new ArrayList<>();
    journal.keys(Selection.all(Selection.Order.NEWEST_FIRST), all::add);
    return all;
  }

  /**
   * Many keys are probed in two halves on two connections at once: the halves' answers together are
   * the rule's, with keys that share their first 7 characters on both sides of the split.
   */
  @Test
  void manyKeysProbedInTwoHalvesAreTheRulesNeighbours() throws Exception {
    try (PostgresJournal journal = (PostgresJournal) open()) {
      List<String> all = keysSharingInThrees(cluster, journal);
      List<String> asked = all.stream().sorted().toList();
      Map<String, Neighbours> rule = Neighbours.sharing(Neighbours.of(asked, all), 7);
      assertEquals(20_000, asked.size());
      assertTrue(rule.size() > 9_000, () -> rule.size() + " keys share a prefix");
      assertEquals(rule, journal.neighboursSharing(asked, 7, true), "probed in two halves");
      assertEquals(rule, journal.neighboursSharing(asked, 7, false), "walked");
    }
  }

  /**
   * Listings are fetched {@link PostgresJournal#FETCH} rows at a time: with starts shared by a
   * thousand rows across the fetches' edges, every order, state, window and limit reads each row
   * once, in order.
   */
  @Test
  void listingsFetchedInPartsReadEachRowOnceInOrder() throws Exception {
    try (PostgresJournal journal = (PostgresJournal) open()) {
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url) select 'k' || (i * 7919 % 40000)"
              + " || case when i % 5 = 0 then E'\\'q\\\\' else '' end, i, i / 1000,"
              + " case when i % 3 = 0 then 'pending' else 'succeeded' end, 0, 1, 'POST',"
              + " 'https://h/p' from generate_series(1, 40000) as i");
      List<EntrySummary> all = journal.summariesStartingWith("");
      assertEquals(40_000, all.size());
      Selection newest = Selection.all(Selection.Order.NEWEST_FIRST);
      Selection oldest = Selection.all(Selection.Order.OLDEST_FIRST);
      int chunk = PostgresJournal.FETCH;
      for (Selection selection :
          List.of(
              newest,
              oldest,
              newest.inState(EntryState.PENDING),
              oldest.inState(EntryState.SUCCEEDED),
              newest.first(chunk),
              oldest.first(chunk + 1),
              newest.first(2 * chunk + 5),
              oldest.createdIn(new Window.Starts(Instant.EPOCH, Instant.ofEpochSecond(0, 33_999))),
              newest.inState(EntryState.PENDING).first(chunk - 1))) {
        List<EntrySummary> expected =
            all.stream()
                .filter(selection::picks)
                .sorted(selection.order().comparator())
                .limit(selection.limit())
                .toList();
        assertEquals(expected, journal.summaries(selection), selection::toString);
        List<EntrySummary> streamed = new ArrayList<>();
        journal.summaries(selection, streamed::add);
        assertEquals(expected, streamed, selection::toString);
        List<String> keys = new ArrayList<>();
        journal.keys(selection, keys::add);
        assertEquals(expected.stream().map(EntrySummary::key).toList(), keys, selection::toString);
      }
    }
  }

  /**
   * Summaries and keys holding backslashes, tabs, line ends, other control characters and the text
   * {@code \\N} come back as they were stored, however a row came to hold them (the tool's own keys
   * and URLs hold none of them).
   */
  @Test
  void oddTextsInSummariesComeBackAsTheyWere() throws Exception {
    try (PostgresJournal journal = (PostgresJournal) open()) {
      cluster.psql(
          "insert into edlink_idem_entries (key, first_record, created_ns, state, status,"
              + " attempts, method, url, finished_ns, via) values"
              + " (E'k\\\\N\\t\\n', 1, 1000000000, 'succeeded', 201, 2, 'POST',"
              + " E'https://h/p?a=\\\\\\b\\f\\r\\x0b\\x01', 2000000000, E'\\\\N'),"
              + " ('\\N', 2, 3000000000, 'pending', 0, 0, 'POST', 'https://h/é中😀', null, null)");
      EntrySummary odd =
          new EntrySummary(
              "k\\N\t\n",
              Instant.ofEpochSecond(1),
              EntryState.SUCCEEDED,
              201,
              2,
              "POST",
              "https://h/p?a=\\\b\f\r\u000b\u0001",
              Instant.ofEpochSecond(2),
              "\\N");
      EntrySummary plain =
          new EntrySummary(
              "\\N",
              Instant.ofEpochSecond(3),
              EntryState.PENDING,
              0,
              0,
              "POST",
              "https://h/é中😀",
              null,
              null);
      assertEquals(Set.of(odd, plain), new HashSet<>(journal.summaries()));
      assertEquals(
          List.of(plain, odd), journal.summaries(Selection.all(Selection.Order.NEWEST_FIRST)));
      List<String> keys = new ArrayList<>();
      journal.keys(Selection.all(Selection.Order.OLDEST_FIRST), keys::add);
      assertEquals(List.of(odd.key(), plain.key()), keys);
    }
  }

  /**
   * The two ways of finding neighbours, probes for a few keys and one walk along the key index for
   * many, agree with each other and with the rule, whichever the journal chooses.
   */
  @Test
  void neighboursProbedAndWalkedAreTheSame() throws Exception {
    try (PostgresJournal journal = (PostgresJournal) open()) {
      JournaledRequest request =
          JournaledRequest.post(
              "http://127.0.0.1:9/api/v2/graph/classes/c/assignments",
              "{}".getBytes(StandardCharsets.UTF_8));
      List<String> all = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        // Shared prefixes of every length, and capitals, which code point order puts first.
        String key = (i % 3 == 0 ? "K" : "k") + "-" + Integer.toString(i * 7919, 3);
        all.add(key);
        try (Journal.Lease lease = journal.lease(key)) {
          lease.begin(request, Instant.parse("2026-11-01T08:00:00Z"));
        }
      }
      cluster.psql("analyze edlink_idem_entries");
      List<String> asked = List.of(all.get(0), all.get(17), all.get(39));
      Map<String, Neighbours> rule = Neighbours.of(asked, all);
      assertEquals(rule, journal.neighbours(asked, true));
      assertEquals(rule, journal.neighbours(asked, false));
      assertEquals(rule, journal.neighbours(asked), "3 of 40 keys: probed");
      assertEquals(Neighbours.of(all, all), journal.neighbours(all), "all of them: walked");
    }
  }

  /**
   * The two ways of finding the neighbours of keys that share a prefix, a probe of the key index
   * per key for a few keys and one walk along it for many, agree with the rule on tricky keys.
   */
  @Test
  void neighboursSharingProbedAndWalkedAreTheSame() throws Exception {
    try (PostgresJournal journal = (PostgresJournal) open()) {
      JournaledRequest request =
          JournaledRequest.post(
              "http://127.0.0.1:9/api/v2/graph/classes/c/assignments",
              "{}".getBytes(StandardCharsets.UTF_8));
      for (String key : TRICKY_KEYS) {
        try (Journal.Lease lease = journal.lease(key)) {
          lease.begin(request, Instant.parse("2026-11-01T08:00:00Z"));
        }
      }
      for (int chars : new int[] {1, 3, 7, 8, 12}) {
        List<String> asked =
            TRICKY_KEYS.stream().filter(k -> k.length() >= chars).sorted().toList();
        Map<String, Neighbours> rule =
            Neighbours.sharing(Neighbours.of(TRICKY_KEYS, TRICKY_KEYS), chars);
        assertEquals(rule, journal.neighboursSharing(asked, chars, true), "probed, " + chars);
        assertEquals(rule, journal.neighboursSharing(asked, chars, false), "walked, " + chars);
      }
      assertEquals("\uD83D\uDE01", PostgresJournal.pastPrefix("\uD83D\uDE00"));
      assertEquals("b", PostgresJournal.pastPrefix("a\uDBFF\uDFFF"));
      assertEquals("\uE000", PostgresJournal.pastPrefix("\uD7FF"));
      assertEquals(null, PostgresJournal.pastPrefix("\uDBFF\uDFFF"));
    }
  }

  /**
   * A database whose default collation is a language's (ICU English: capitals among small letters,
   * punctuation weighed last) still gives keys in code point order, as the tool sorts them.
   */
  @Test
  void inADatabaseThatSortsKeysByLanguageTheyStillComeInCodePointOrder() throws Exception {
    cluster.psql("drop database if exists edlink_icu");
    try {
      cluster.psql(
          "create database edlink_icu template template0 locale_provider icu icu_locale 'en'");
    } catch (IllegalStateException e) {
      assumeTrue(false, "this PostgreSQL has no ICU collations: " + e.getMessage());
    }
    try (PostgresJournal journal =
        PostgresJournal.open(
            cluster.jdbcUrl().replaceFirst("/edlink$", "/edlink_icu"),
            cluster.superuserProps(),
            "edlink_icu",
            Duration.ofSeconds(30),
            () -> {})) {
      JournaledRequest request =
          JournaledRequest.post(
              "http://127.0.0.1:9/api/v2/graph/classes/c/assignments",
              "{}".getBytes(StandardCharsets.UTF_8));
      for (String key : List.of("beta", "alpha.1", "Zeta", "alpha-2", "alpha")) {
        try (Journal.Lease lease = journal.lease(key)) {
          lease.begin(request, Instant.parse("2026-11-01T08:00:00Z"));
        }
      }
      List<String> inCodePointOrder = List.of("Zeta", "alpha", "alpha-2", "alpha.1", "beta");
      assertEquals(
          inCodePointOrder,
          journal.summaries(Selection.all(Selection.Order.OLDEST_FIRST)).stream()
              .map(EntrySummary::key)
              .toList());
      Map<String, Neighbours> rule = Neighbours.of(inCodePointOrder, inCodePointOrder);
      assertEquals(rule, journal.neighbours(inCodePointOrder, true));
      assertEquals(rule, journal.neighbours(inCodePointOrder, false));
    } finally {
      cluster.psql("drop database if exists edlink_icu");
    }
  }
}
