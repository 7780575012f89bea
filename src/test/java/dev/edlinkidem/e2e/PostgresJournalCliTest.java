package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.journal.postgres.PostgresCluster;
import dev.edlinkidem.sandbox.Faults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The command line on a PostgreSQL journal ({@code --journal postgres://...}) in a throw-away
 * cluster, against the sandbox: the same promises as on a directory, the password from where the
 * user keeps it and never from the URL.
 */
class PostgresJournalCliTest extends SandboxCase {
  private static PostgresCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(Files.createTempDirectory("edlink-idem-pg-cli"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void aNewJournal() throws Exception {
    cluster.dropJournal();
  }

  private String url() {
    return cluster.url(cluster.passwordUser());
  }

  /** The command line with the PostgreSQL journal, its password in PGPASSWORD. */
  private Cli pg() {
    return cli().env("EDLINK_IDEM_JOURNAL", url()).env("PGPASSWORD", cluster.password());
  }

  @Test
  void postListShowAndPostAgainOnePerKey() throws Exception {
    Cli.Result posted = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-1");
    assertEquals(0, posted.code(), posted.toString());
    assertEquals(1, stat("creates"));
    Cli.Result keys = pg().run("list", "--format", "keys");
    assertEquals("pg-1\n", keys.out(), keys.toString());
    Cli.Result shown = pg().run("show", "pg-1", "--format", "json");
    assertEquals(0, shown.code(), shown.toString());
    assertTrue(shown.out().contains("\"state\":\"succeeded\""), shown.out());
    Cli.Result again = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-1");
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.err().contains("recorded response from the journal, not sent"), again.err());
    assertEquals(1, stat("creates"), "the recorded answer, not a second assignment");
    assertFalse(Files.exists(journalDir()), "no directory journal was made");
  }

  @Test
  void aKeyReusedForAnotherRequestIsRefusedAndAKeyInFlightElsewhereToo() throws Exception {
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-reuse").code());
    Cli.Result reused =
        pg().run("post", ASSIGNMENTS, "-d", "{\"title\":\"another\"}", "-k", "pg-reuse");
    assertEquals(3, reused.code(), reused.toString());
    assertTrue(reused.err().contains("for a different request"), reused.err());
    assertEquals(1, stat("requests"), "nothing sent for the reuse");

    // Another process holds pg-busy's lease: this one is refused at once, nothing sent.
    cluster.psql(
        "insert into edlink_idem_leases (key, holder, expires_at)"
            + " values ('pg-busy', nextval('edlink_idem_holders'), now() + interval '1 minute')");
    Cli.Result busy = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-busy");
    assertEquals(3, busy.code(), busy.toString());
    assertTrue(
        busy.err()
            .contains(
                "being sent by another process right now; nothing was sent; if that"
                    + " process has stopped, its hold on the key runs out at "),
        "says when a lease left by a process that died runs out: " + busy.err());
    assertEquals(1, stat("requests"));
  }

  /** Makes the database refuse every record whose type is {@code type}, as a full disk would. */
  private void refuseRecords(String type) throws Exception {
    assertEquals(0, pg().run("journal", "migrate").code());
    cluster.psql(
        "create or replace function edlink_idem_test_refuse() returns trigger language plpgsql as"
            + " $$ begin if position('\"type\":\""
            + type
            + "\"' in convert_from(new.record, 'UTF8')) > 0 then raise exception 'disk full"
            + " (the test)'; end if; return new; end $$;"
            + " create trigger edlink_idem_test_refuse before insert on edlink_idem_records"
            + " for each row execute function edlink_idem_test_refuse()");
  }

  @Test
  void aBeginTheDatabaseRefusesSendsNothing() throws Exception {
    refuseRecords("begin");
    Cli.Result r = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-refused");
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains("nothing was sent"), r.err());
    assertTrue(r.err().contains("disk full (the test)"), "says why: " + r.err());
    assertEquals(0, stat("requests"), "nothing reached the sandbox");
    Cli.Result keys = pg().run("list", "--format", "keys");
    assertEquals("", keys.out(), "no entry: " + keys);
  }

  @Test
  void anOutcomeTheDatabaseRefusesLeavesTheEntryPendingAndItsReplayCreatesNothingMore()
      throws Exception {
    refuseRecords("outcome");
    Cli.Result r = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-unrecorded");
    assertEquals(1, r.code(), r.toString());
    assertFalse(r.err().contains("nothing was sent"), r.err());
    assertEquals(1, stat("creates"));
    cluster.psql("drop trigger edlink_idem_test_refuse on edlink_idem_records");
    Cli.Result pending = pg().run("list", "--state", "pending", "--format", "keys");
    assertEquals("pg-unrecorded\n", pending.out(), pending.toString());
    Cli.Result replayed = pg().run("replay", "pg-unrecorded");
    assertEquals(0, replayed.code(), replayed.toString());
    assertEquals(1, stat("creates"), "the replay got the recorded answer, not a second assignment");
  }

  @Test
  void anAnswerLostIsPendingAndItsReplayCreatesNothingMore() throws Exception {
    faultOnce(new Faults(1, 0, 0, 0, java.time.Duration.ZERO, 0, 0, 0));
    Cli.Result lost = pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-2", "--retries", "0");
    assertEquals(6, lost.code(), lost.toString());
    assertEquals(1, stat("creates"));
    Cli.Result pending = pg().run("list", "--state", "pending", "--format", "keys");
    assertEquals("pg-2\n", pending.out(), pending.toString());
    Cli.Result replayed = pg().run("replay", "pg-2");
    assertEquals(0, replayed.code(), replayed.toString());
    assertEquals(1, stat("creates"));
    assertEquals("", pg().run("list", "--state", "pending", "--format", "keys").out());
  }

  @Test
  void aBatchThroughDropsAndThenExpiringAndPruneWork() throws Exception {
    sandbox.setFaults(new Faults(0.3, 0, 0, 0, java.time.Duration.ZERO, 0, 0, 0));
    Path plan = Files.writeString(tmp.resolve("plan.jsonl"), BatchTest.lines(20));
    Cli.Result batch =
        pg().run("batch", plan.toString(), "--concurrency", "4", "--retries", "8", "-q");
    assertEquals(0, batch.code(), batch.toString());
    assertEquals(20, stat("creates"), "one creation per line");
    sandbox.setFaults(Faults.NONE);
    Cli.Result again = pg().run("batch", plan.toString(), "-q");
    assertEquals(0, again.code(), again.toString());
    assertEquals(20, stat("creates"), "run again: every line from the journal");
    Cli.Result expiring = pg().run("expiring", "--within", "31d", "--fail-if-pending");
    assertEquals(0, expiring.code(), expiring.toString());
    assertEquals(20, expiring.out().lines().filter(l -> l.contains("succeeded")).count());
    Cli.Result prune = pg().run("prune", "--dry-run");
    assertEquals(0, prune.code(), prune.toString());
    assertEquals(20, pg().run("list", "--format", "keys").out().lines().count());
  }

  @Test
  void fileToPostgresToFileShowsEveryEntryByteForByte() throws Exception {
    // A succeeded, a pending (its answer lost) and a failed entry, in a directory journal.
    assertEquals(0, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "rt-ok").code());
    faultOnce(new Faults(1, 0, 0, 0, java.time.Duration.ZERO, 0, 0, 0));
    assertEquals(
        6, cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "rt-lost", "--retries", "0").code());
    assertEquals(
        4, cli().run("post", ASSIGNMENTS, "-d", "{\"title\":\"x\"}", "-k", "rt-no").code());

    Cli.Result in = pg().run("journal", "merge", journalDir().toString());
    assertEquals(0, in.code(), in.toString());
    assertTrue(in.out().contains("3 added"), in.out());
    Path back = tmp.resolve("back");
    Cli.Result out =
        cli()
            .env("EDLINK_IDEM_JOURNAL", back.toString())
            .env("PGPASSWORD", cluster.password())
            .run("journal", "merge", url());
    assertEquals(0, out.code(), out.toString());
    assertTrue(out.out().contains("3 added"), out.out());

    String now = "2026-12-20T00:00:00Z";
    for (String key : java.util.List.of("rt-ok", "rt-lost", "rt-no")) {
      String file = cli().env("EDLINK_IDEM_NOW", now).run("show", key, "--format", "json").out();
      String inPg = pg().env("EDLINK_IDEM_NOW", now).run("show", key, "--format", "json").out();
      String again =
          cli()
              .env("EDLINK_IDEM_JOURNAL", back.toString())
              .env("EDLINK_IDEM_NOW", now)
              .run("show", key, "--format", "json")
              .out();
      assertTrue(file.contains("\"key\":\"" + key + "\""), file);
      assertEquals(file, inPg, key + " in PostgreSQL");
      assertEquals(file, again, key + " back in a directory");
    }
    Cli.Result self = pg().run("journal", "merge", url());
    assertEquals(2, self.code(), self.toString());
    assertTrue(self.err().contains("is this journal"), self.err());
  }

  @Test
  void journalMigrateMakesTheTablesOnceAndRefusesANewerSchema() throws Exception {
    Cli.Result made = pg().run("journal", "migrate");
    assertEquals(0, made.code(), made.toString());
    assertEquals(url() + ": schema version 0 -> 2\n", made.out());
    Cli.Result again = pg().run("journal", "migrate");
    assertEquals(url() + ": schema version 2, up to date\n", again.out());
    Cli.Result directory = cli().run("journal", "migrate");
    assertEquals(0, directory.code(), directory.toString());
    assertTrue(directory.out().contains("a directory journal"), directory.out());

    cluster.psql("update edlink_idem_schema set version = 99");
    Cli.Result newer = pg().run("list");
    assertEquals(2, newer.code(), newer.toString());
    assertTrue(newer.err().contains("has schema version 99, newer than this"), newer.err());
    assertEquals("99", cluster.psql("select version from edlink_idem_schema").strip());
  }

  @Test
  void aJournalOfVersionOneIsBroughtToTwoWithItsEntries() throws Exception {
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-b").code());
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-A").code());
    // Version 1: keys in the database's collation, no index of keys newest first.
    cluster.psql(
        "alter table edlink_idem_entries alter column key type text collate \"default\";"
            + " drop index edlink_idem_entries_newest_first;"
            + " update edlink_idem_schema set version = 1");
    Cli.Result migrated = pg().run("journal", "migrate");
    assertEquals(url() + ": schema version 1 -> 2\n", migrated.out(), migrated.toString());
    assertEquals("pg-A\npg-b\n", pg().run("list", "--format", "keys").out());
    assertEquals(
        "C",
        cluster
            .psql(
                "select collation_name from information_schema.columns where"
                    + " table_name = 'edlink_idem_entries' and column_name = 'key'")
            .strip());
  }

  @Test
  void aShortenedKeyStaysUniqueAmongKeysTheTableDoesNotShow() throws Exception {
    String older = "3f2b8c1e" + "0".repeat(56);
    String newer = "3f2b8c1f" + "0".repeat(56);
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", older).code());
    assertEquals(0, pg().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", newer).code());
    Cli.Result r =
        pg().terminal(new Invocation.Terminal(false, true, false))
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .run("list", "--limit", "1");
    String row = r.out().lines().filter(l -> l.startsWith("3f2b")).findFirst().orElseThrow();
    assertTrue(
        row.startsWith("3f2b8c1f…"), "one character past the key it is not shown with: " + r);
  }

  @Test
  void aMergeFromADatabaseWithoutAJournalChangesNothingThere() throws Exception {
    Cli.Result none = cli().env("PGPASSWORD", cluster.password()).run("journal", "merge", url());
    assertEquals(2, none.code(), none.toString());
    assertTrue(none.err().contains("there is no edlink-idem journal at " + url()), none.err());
    assertEquals("", cluster.psql("select to_regclass('edlink_idem_records')").strip());
  }

  @Test
  void thePasswordComesFromTheProfilesFileAndAWrongOneSendsNothing() throws Exception {
    Path file = Files.writeString(tmp.resolve("pg-password"), cluster.password() + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Path config = Files.createDirectories(tmp.resolve("xdg/edlink-idem")).resolve("config");
    Files.writeString(config, "[default]\njournal-password-file = " + file + "\n");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
    Cli byProfile =
        cli()
            .env("EDLINK_IDEM_JOURNAL", url())
            .env("XDG_CONFIG_HOME", tmp.resolve("xdg").toString());
    Cli.Result posted = byProfile.run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-3");
    assertEquals(0, posted.code(), posted.toString());

    Cli.Result wrong =
        cli()
            .env("EDLINK_IDEM_JOURNAL", url())
            .env("PGPASSWORD", "not-the-password-9")
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "pg-4");
    assertEquals(1, wrong.code(), wrong.toString());
    assertTrue(wrong.err().contains("cannot open the journal at " + url()), wrong.err());
    assertTrue(wrong.err().contains("nothing was sent"), wrong.err());
    assertFalse(wrong.err().contains("not-the-password-9"), wrong.err());
    assertEquals(1, stat("requests"), "only pg-3 was sent");
  }

  @Test
  void theJournalFlagNamesTheDatabaseToo() throws Exception {
    Path cwd = Files.createDirectories(tmp.resolve("cwd"));
    Cli.Result posted =
        cli()
            .env("PGPASSWORD", cluster.password())
            .run("--journal", url(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "flag-1");
    assertEquals(0, posted.code(), posted.toString());
    assertEquals("1", cluster.psql("select count(*) from edlink_idem_entries").strip());
    String withPassword =
        url().replace(cluster.passwordUser() + "@", cluster.passwordUser() + ":hunter2-pw@");
    Cli.Result refused = cli().run("--journal", withPassword, "post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(2, refused.code(), refused.toString());
    assertFalse(refused.err().contains("hunter2-pw"), refused.err());
    assertFalse(Files.exists(Path.of("postgres:")), "no directory named after the URL");
    assertEquals(0, Files.list(cwd).count());
  }

  @Test
  void aPasswordInTheUrlIsRefusedAndNotShown() {
    String withPassword =
        url().replace(cluster.passwordUser() + "@", cluster.passwordUser() + ":hunter2-pw@");
    Cli.Result refused =
        cli().env("EDLINK_IDEM_JOURNAL", withPassword).run("post", ASSIGNMENTS, "-d", ESSAY);
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("a password is never taken from the URL"), refused.err());
    assertFalse(refused.err().contains("hunter2-pw"), refused.err());
    assertEquals(0, stat("requests"));
  }
}
