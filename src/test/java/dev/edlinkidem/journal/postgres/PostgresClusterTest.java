package dev.edlinkidem.journal.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * The throw-away PostgreSQL that the PostgreSQL journal's tests stand on: it takes the connections
 * its javadoc promises (the superuser without a password, the password role only with its
 * password), commits synchronously, restarts on the same port, and leaves nothing behind.
 */
class PostgresClusterTest {
  @TempDir static Path tmp;

  private static PostgresCluster cluster;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    cluster = PostgresCluster.start(tmp);
  }

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theSuperuserConnectsWithoutAPasswordAndCommitsSynchronously() throws SQLException {
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), cluster.superuser(), null)) {
      assertEquals("on", one(c, "show synchronous_commit"));
      assertEquals("on", one(c, "show fsync"));
      assertEquals(
          "true", one(c, "select rolsuper::text from pg_roles where rolname = current_user"));
      assertEquals(cluster.database(), one(c, "select current_database()"));
    }
  }

  @Test
  void thePasswordRoleConnectsWithItsPasswordAndOwnsTheDatabase() throws SQLException {
    try (Connection c =
        DriverManager.getConnection(
            cluster.jdbcUrl(), cluster.passwordUser(), cluster.password())) {
      assertEquals(cluster.passwordUser(), one(c, "select current_user"));
      assertEquals("scram-sha-256", one(c, "show password_encryption"));
      try (Statement s = c.createStatement()) {
        s.execute("create table owned (n integer)");
        s.execute("drop table owned");
      }
    }
  }

  @Test
  void thePasswordRoleIsRefusedWithAWrongPasswordOrNone() {
    PSQLException wrong =
        assertThrows(
            PSQLException.class,
            () ->
                DriverManager.getConnection(
                    cluster.jdbcUrl(), cluster.passwordUser(), cluster.password() + "x"));
    assertEquals(PSQLState.INVALID_PASSWORD.getState(), wrong.getSQLState(), wrong.getMessage());
    PSQLException none =
        assertThrows(
            PSQLException.class,
            () -> DriverManager.getConnection(cluster.jdbcUrl(), cluster.passwordUser(), null));
    assertTrue(none.getMessage().contains("password"), none.getMessage());
  }

  @Test
  void psqlRunsStatementsAsTheSuperuserAndPrintsTheRows() throws Exception {
    assertEquals(
        "postgres|edlink\n1|2\n",
        cluster.psql(
            "create table t (a integer, b integer);\n"
                + "insert into t values (1, 2);\n"
                + "select current_user, current_database();\n"
                + "select a, b from t;\n"
                + "drop table t;\n"));
    IllegalStateException bad =
        assertThrows(IllegalStateException.class, () -> cluster.psql("select nonsense"));
    assertTrue(bad.getMessage().contains("nonsense"), bad.getMessage());
  }

  @Test
  void aRestartEndsTheOpenConnectionsAndTakesNewOnesOnTheSamePort() throws Exception {
    int port = cluster.port();
    try (Connection before =
        DriverManager.getConnection(cluster.jdbcUrl(), cluster.superuser(), null)) {
      long pid = cluster.pid().orElseThrow();
      cluster.restart();
      assertThrows(SQLException.class, () -> one(before, "select 1"));
      assertTrue(cluster.pid().orElseThrow() != pid, "a new postmaster");
    }
    assertEquals(port, cluster.port());
    try (Connection after =
        DriverManager.getConnection(cluster.jdbcUrl(), cluster.superuser(), null)) {
      assertEquals("1", one(after, "select 1"));
    }
  }

  @Test
  void aStoppedClusterStartsAgainWithRestart() throws Exception {
    cluster.stop();
    assertTrue(cluster.pid().isEmpty());
    assertThrows(
        SQLException.class,
        () -> DriverManager.getConnection(cluster.jdbcUrl(), cluster.superuser(), null));
    cluster.stop(); // harmless when stopped
    cluster.restart();
    assertEquals("1\n", cluster.psql("select 1"));
  }

  @Test
  void aRestartOnAPortAnotherProcessTookFailsSayingSoWithTheServersLog() throws Exception {
    cluster.stop();
    try (ServerSocket taker =
        new ServerSocket(cluster.port(), 1, InetAddress.getByName(cluster.host()))) {
      IllegalStateException failed = assertThrows(IllegalStateException.class, cluster::restart);
      assertTrue(
          failed.getMessage().contains("another process took the port"), failed.getMessage());
      assertTrue(failed.getMessage().contains("Address already in use"), failed.getMessage());
    }
    cluster.restart();
    assertEquals("1\n", cluster.psql("select 1"));
  }

  @Test
  void closeLeavesNoProcessNoPortAndNoDirectory(@TempDir Path own) throws Exception {
    PostgresCluster closing = PostgresCluster.start(own);
    Path directory = closing.directory();
    long pid = closing.pid().orElseThrow();
    int port = closing.port();
    closing.psql("select 1"); // a connection had been made
    closing.close();
    assertFalse(PostgresCluster.running(pid), "the postmaster, " + pid);
    assertThrows(ConnectException.class, () -> connect(port));
    assertFalse(Files.exists(directory), directory.toString());
    closing.close(); // harmless when closed
  }

  @Test
  void serveTlsTakesTlsThatTheCertificateVerifiesAndPlainConnectionsAsBefore(@TempDir Path own)
      throws Exception {
    try (PostgresCluster tls = PostgresCluster.start(own)) {
      Path certificate = tls.serveTls();
      assertEquals("on\n", tls.psql("show ssl"));
      for (String sslmode : List.of("verify-full", "disable")) {
        Properties props = new Properties();
        props.setProperty("user", tls.passwordUser());
        props.setProperty("password", tls.password());
        props.setProperty("sslmode", sslmode);
        props.setProperty("sslrootcert", certificate.toString());
        try (Connection c = DriverManager.getConnection(tls.jdbcUrl(), props)) {
          assertEquals(
              sslmode.equals("disable") ? "f" : "t",
              one(c, "select ssl from pg_stat_ssl where pid = pg_backend_pid()"),
              sslmode);
        }
      }
    }
  }

  /** The first column of the first row {@code sql} returns, as text. */
  private static String one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      assertTrue(rows.next(), sql);
      return rows.getString(1);
    }
  }

  private static void connect(int port) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(cluster.host(), port), 1000);
    }
  }
}
