package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PostgresTargetTest {
  @Test
  void readsTheUrlAsLibpqDoes() {
    PostgresTarget t = PostgresTarget.parse("postgres://ci@db.corp:6543/edlink", "flag --journal");
    assertEquals(new PostgresTarget("ci", "db.corp", 6543, "edlink", "prefer", null), t);
    assertEquals("jdbc:postgresql://db.corp:6543/edlink", t.jdbcUrl());
    assertEquals("postgres://ci@db.corp:6543/edlink", t.shown());
    PostgresTarget plain = PostgresTarget.parse("POSTGRESQL://db/j?sslmode=verify-full", "t");
    assertNull(plain.user());
    assertEquals(5432, plain.port());
    assertEquals("verify-full", plain.sslmode());
    assertEquals("postgres://db:5432/j?sslmode=verify-full", plain.shown());
    PostgresTarget v6 = PostgresTarget.parse("postgres://u@[::1]:5433/j", "t");
    assertEquals("::1", v6.host());
    assertEquals("jdbc:postgresql://[::1]:5433/j", v6.jdbcUrl());
    assertEquals("a b", PostgresTarget.parse("postgres://a%20b@h/d", "t").user());
  }

  @Test
  void tellsAUrlFromADirectory() {
    assertTrue(PostgresTarget.isOne("postgres://u@h/d"));
    assertTrue(PostgresTarget.isOne(" PostgreSQL://u@h/d"));
    assertFalse(PostgresTarget.isOne("/var/lib/journal"));
    assertFalse(PostgresTarget.isOne("postgres-journal"));
    assertFalse(PostgresTarget.isOne(null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "postgres://ci:s3cret@db/edlink",
        "postgres://db",
        "postgres://db/",
        "postgres://db/a/b",
        "postgres:///edlink",
        "postgres://db:0/edlink",
        "postgres://db/edlink?sslmode=sometimes",
        "postgres://db/edlink?password=s3cret",
        "postgres://db/edlink?sslmode=require&sslmode=disable",
        "postgres://db/edlink#x",
        "postgres://d b/edlink"
      })
  void refusesWhatCannotBeUsedAndNeverShowsAPassword(String url) {
    PostgresSettingException e =
        assertThrows(
            PostgresSettingException.class, () -> PostgresTarget.parse(url, "flag --journal"));
    assertTrue(e.getMessage().contains("(flag --journal) cannot be used: "), e.getMessage());
    assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
  }
}
