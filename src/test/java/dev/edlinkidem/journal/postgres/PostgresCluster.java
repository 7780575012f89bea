package dev.edlinkidem.journal.postgres;

import dev.edlinkidem.journal.JournalException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL server for tests: a cluster made by {@code initdb} in a temporary
 * directory of its own, started by {@code pg_ctl} on a free loopback port, with a database {@code
 * edlink}; closing it stops the server and deletes the directory. No system service or system
 * cluster is used or touched: everything the server writes (data, log, socket) is in that
 * directory. Tests that need it skip with {@link #whyUnavailable()} as their reason where it cannot
 * run.
 *
 * <p>Who may connect, as {@code pg_hba.conf} says:
 *
 * <ul>
 *   <li>{@link #superuser()} and any other role but one, without a password (trust), over loopback
 *       TCP and over the socket in the directory;
 *   <li>{@link #passwordUser()}, which owns the database, over loopback TCP only with {@link
 *       #password()} (SCRAM-SHA-256), so that tests can check that a password is sent and a wrong
 *       one refused.
 * </ul>
 *
 * <p>It takes no TLS until {@link #serveTls()} has it take it as well.
 *
 * <p>initdb refuses to run as root. When the JVM runs as root (as CI does), initdb and pg_ctl run
 * as the {@code postgres} user that Debian's package creates, through {@code runuser}; the
 * temporary directory is given to that user, and the directory it is made in is given search
 * permission for others, so that the user can reach it.
 */
public final class PostgresCluster implements AutoCloseable {
  /** How to get PostgreSQL, for a skip's reason. */
  public static final String INSTALL = "apt-get install postgresql (.ci/run does, as root)";

  private static final String HOST = "127.0.0.1";
  private static final String DATABASE = "edlink";
  private static final String SUPERUSER = "postgres";
  private static final String PASSWORD_USER = "edlink_pw";

  /** Who runs the server when the JVM runs as root, which initdb refuses. */
  private static final String SERVER_USER = "postgres";

  /** What the server logs when another process took the port between our finding it and its. */
  private static final String PORT_TAKEN = "could not create any TCP/IP sockets";

  /** The longest path a Unix socket may have (sun_path, less its NUL). */
  private static final int SOCKET_PATH_MAX = 107;

  private static final int ATTEMPTS = 5;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WAKE_EVERY = Duration.ofMillis(10);
  private static final int LOG_TAIL_LINES = 20;

  /** {@link #whyUnavailable()}'s answer, once asked. */
  private static Optional<String> unavailable;

  /** The programs found when {@link #whyUnavailable()} was first asked; null when none. */
  private static Tools found;

  private final Tools tools;
  private final Path directory;
  private final Path data;
  private final Path socketDirectory;
  private final Path log;
  private final String password;
  private final Thread shutdownHook;
  private int port;
  private boolean closed;

  /**
   * The programs this class runs, and what goes before initdb and pg_ctl to run them as {@link
   * #SERVER_USER} (empty when the JVM is not root).
   */
  private record Tools(Path initdb, Path pgCtl, Path psql, List<String> asServerUser) {
    List<String> asServer(Object... command) {
      List<String> all = new ArrayList<>(asServerUser);
      for (Object part : command) {
        all.add(part.toString());
      }
      return all;
    }
  }

  /** What a command did: its exit code and what it printed on each stream. */
  private record Result(int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    String said() {
      return (out.strip() + "\n" + err.strip()).strip();
    }
  }

  private PostgresCluster(Tools tools, Path directory, String password) {
    this.tools = tools;
    this.directory = directory;
    this.data = directory.resolve("data");
    this.socketDirectory = directory.resolve("socket");
    this.log = directory.resolve("server.log");
    this.password = password;
    this.shutdownHook = new Thread(this::close, "PostgresCluster " + directory);
  }

  /**
   * Why a cluster cannot be started here (no initdb or pg_ctl, no psql, running as root with no
   * {@code postgres} user or no {@code runuser}, initdb does not run), or empty when it can. For
   * {@code assumeTrue(why.isEmpty(), () -> why.get())}; asked once per JVM.
   */
  public static synchronized Optional<String> whyUnavailable() {
    if (unavailable == null) {
      try {
        unavailable = findTools();
      } catch (IOException e) {
        unavailable = Optional.of("could not look for PostgreSQL: " + e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.of("interrupted while looking for PostgreSQL");
      }
    }
    return unavailable;
  }

  /** Finds the programs into {@link #found}; says why they cannot be used, or empty. */
  private static Optional<String> findTools() throws IOException, InterruptedException {
    Optional<Path> initdb = Optional.empty();
    for (Path candidate : binaryDirectories()) {
      if (Files.isExecutable(candidate.resolve("initdb"))
          && Files.isExecutable(candidate.resolve("pg_ctl"))) {
        initdb = Optional.of(candidate.resolve("initdb"));
        break;
      }
    }
    if (initdb.isEmpty()) {
      return Optional.of(
          "PostgreSQL's initdb and pg_ctl not found in PATH, /usr/lib/postgresql/*/bin or"
              + " /usr/local/bin: "
              + INSTALL);
    }
    // /usr/local/bin may hold links to a version's programs: its psql is next to where they lead.
    // Debian's /usr/bin/psql is a wrapper that chooses a version; the version's own is preferred.
    Path bin = initdb.get().toRealPath().getParent();
    Optional<Path> psql =
        Stream.concat(Stream.of(bin), pathDirectories().stream())
            .map(d -> d.resolve("psql"))
            .filter(Files::isExecutable)
            .findFirst();
    if (psql.isEmpty()) {
      return Optional.of("psql not found next to " + bin.resolve("initdb") + " nor in PATH");
    }
    List<String> asServerUser = List.of();
    if (runningAsRoot()) {
      try {
        serverUser();
      } catch (UserPrincipalNotFoundException e) {
        return Optional.of(
            "running as root, which initdb refuses, and there is no "
                + SERVER_USER
                + " user to run PostgreSQL as: "
                + INSTALL
                + " creates it");
      }
      Optional<Path> runuser =
          Stream.concat(
                  pathDirectories().stream(), Stream.of(Path.of("/usr/sbin"), Path.of("/sbin")))
              .map(d -> d.resolve("runuser"))
              .filter(Files::isExecutable)
              .findFirst();
      if (runuser.isEmpty()) {
        return Optional.of(
            "running as root, which initdb refuses, and no runuser to run PostgreSQL as "
                + SERVER_USER);
      }
      asServerUser = List.of(runuser.get().toString(), "-u", SERVER_USER, "--");
    }
    Tools tools = new Tools(bin.resolve("initdb"), bin.resolve("pg_ctl"), psql.get(), asServerUser);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    Result version = run(tools.asServer(tools.initdb(), "--version"), Path.of("/"), tmp, null);
    if (!version.ok()) {
      return Optional.of(
          String.join(" ", tools.asServer(tools.initdb(), "--version"))
              + " failed (exit "
              + version.exit()
              + "): "
              + version.said());
    }
    found = tools;
    return Optional.empty();
  }

  /** Where initdb and pg_ctl may be, in the order they are looked for. */
  private static List<Path> binaryDirectories() throws IOException {
    List<Path> directories = new ArrayList<>(pathDirectories());
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions
            .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)*"))
            .sorted(
                Comparator.comparing((Path v) -> Runtime.Version.parse(v.getFileName().toString()))
                    .reversed())
            .map(v -> v.resolve("bin"))
            .forEach(directories::add);
      }
    }
    directories.add(Path.of("/usr/local/bin"));
    return directories;
  }

  private static List<Path> pathDirectories() {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(d -> !d.isEmpty())
        .map(Path::of)
        .toList();
  }

  private static boolean runningAsRoot() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
  }

  private static UserPrincipal serverUser() throws IOException {
    return Path.of("/")
        .getFileSystem()
        .getUserPrincipalLookupService()
        .lookupPrincipalByName(SERVER_USER);
  }

  /**
   * Starts a cluster in a new temporary directory named after {@code name}, or skips the test
   * class, with the reason, where PostgreSQL cannot be had.
   */
  public static PostgresCluster startOrSkip(String name) throws IOException, InterruptedException {
    Optional<String> why = whyUnavailable();
    org.junit.jupiter.api.Assumptions.assumeTrue(why.isEmpty(), () -> why.get());
    return start(Files.createTempDirectory("edlink-idem-pg-" + name));
  }

  /**
   * Makes the server's own WAL writer wait 10 s between rounds, not 200 ms: a commit that did not
   * wait for the disk then stays in the server's memory for seconds, and a {@link #crash} right
   * after it loses it, as a power cut may.
   */
  public PostgresCluster slowWalWriter() throws IOException, InterruptedException {
    psql("alter system set wal_writer_delay = '10s'; select pg_reload_conf()");
    return this;
  }

  /**
   * Makes a cluster in a new temporary directory under {@code dir}, starts it on a free loopback
   * port, and creates the database {@code edlink} and the password role.
   *
   * @throws IllegalStateException when PostgreSQL cannot be used here ({@link #whyUnavailable()}
   *     says why), or when the cluster could not be made or started: the message has what initdb or
   *     pg_ctl said and the end of the server's log
   */
  public static PostgresCluster start(Path dir) throws IOException, InterruptedException {
    Optional<String> why = whyUnavailable();
    if (why.isPresent()) {
      throw new IllegalStateException("PostgreSQL cannot be used here: " + why.get());
    }
    Path parent = dir.toAbsolutePath();
    if (!found.asServerUser().isEmpty()) {
      letServerUserReach(parent);
    }
    Path directory = Files.createTempDirectory(parent, "postgres-");
    // pg_ctl puts these paths in double quotes in a shell command.
    if (directory.toString().matches(".*[\"$`\\\\\\n].*")) {
      Files.delete(directory);
      throw new IllegalArgumentException("a quote, $, ` or \\ in the directory: " + directory);
    }
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    PostgresCluster cluster =
        new PostgresCluster(found, directory, HexFormat.of().formatHex(secret));
    // Before the first process starts: whatever happens, no server outlives the JVM.
    Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
    try {
      cluster.create();
      cluster.startOnFreePort();
      cluster.createDatabase();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      try {
        cluster.close();
      } catch (RuntimeException alsoFailed) {
        e.addSuppressed(alsoFailed);
      }
      throw e;
    }
  }

  /**
   * Lets {@link #SERVER_USER} pass through {@code parent} (a test's temporary directory is 0700),
   * and checks that every directory above it lets others pass.
   */
  private static void letServerUserReach(Path parent) throws IOException {
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(parent);
    if (permissions.add(PosixFilePermission.OTHERS_EXECUTE)) {
      Files.setPosixFilePermissions(parent, permissions);
    }
    for (Path above = parent.getParent(); above != null; above = above.getParent()) {
      if (!Files.getPosixFilePermissions(above).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalArgumentException(
            above
                + " does not let others through, so the "
                + SERVER_USER
                + " user that runs PostgreSQL cannot reach "
                + parent
                + ": make the cluster in a directory under /tmp");
      }
    }
  }

  /** initdb, then the settings and who may connect. */
  private void create() throws IOException, InterruptedException {
    if (!tools.asServerUser().isEmpty()) {
      Files.setOwner(directory, serverUser());
    }
    Path socket = socketDirectory.resolve(".s.PGSQL.65535");
    if (socket.toString().length() > SOCKET_PATH_MAX) {
      throw new IllegalArgumentException(
          "the server's socket would be "
              + socket
              + ", longer than the "
              + SOCKET_PATH_MAX
              + " characters a socket's path may have: make the cluster in a shorter directory");
    }
    Files.createDirectory(socketDirectory);
    if (!tools.asServerUser().isEmpty()) {
      Files.setOwner(socketDirectory, serverUser());
    }
    // --no-sync: a cluster thrown away after the test need not survive a power cut while made.
    Result initdb =
        runAsServer(
            tools.initdb(),
            "--pgdata=" + data,
            "--username=" + SUPERUSER,
            "--auth=trust",
            "--no-locale",
            "--encoding=UTF8",
            "--no-sync");
    if (!initdb.ok()) {
      throw new IllegalStateException(
          "initdb failed (exit " + initdb.exit() + ") in " + directory + ": " + initdb.said());
    }
    // Said here rather than on pg_ctl's command line, which goes through a shell; the port is
    // given at each start. fsync and synchronous_commit are the defaults, but the journal's
    // promises rest on them, so they are not left to a default.
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\n# PostgresCluster's\n"
            + "listen_addresses = '"
            + HOST
            + "'\n"
            + "unix_socket_directories = '"
            + socketDirectory.toString().replace("'", "''")
            + "'\n"
            + "fsync = on\n"
            + "synchronous_commit = on\n"
            + "password_encryption = 'scram-sha-256'\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    // The first line that matches a connection decides: the password role's comes first.
    Files.writeString(
        data.resolve("pg_hba.conf"),
        "# PostgresCluster's: the password role only with its password, anyone else without.\n"
            + "local all all trust\n"
            + ("host all " + PASSWORD_USER + " " + HOST + "/32 scram-sha-256\n")
            + ("host all all " + HOST + "/32 trust\n"),
        StandardCharsets.UTF_8);
  }

  /** Starts the server on a free port, trying another when someone takes it first. */
  private void startOnFreePort() throws IOException, InterruptedException {
    List<String> failures = new ArrayList<>();
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      int candidate = freePort();
      long logged = size(log);
      String failure = startOn(candidate);
      if (failure == null) {
        port = candidate;
        return;
      }
      failures.add("port " + candidate + ": " + failure);
      if (!logSince(logged).contains(PORT_TAKEN)) {
        break;
      }
    }
    throw new IllegalStateException(
        "PostgreSQL did not start in " + directory + ": " + failures + logTail());
  }

  /** Starts the server on {@code candidate}: null once it takes connections, why not otherwise. */
  private String startOn(int candidate) throws IOException, InterruptedException {
    Result start =
        runAsServer(
            tools.pgCtl(),
            "--pgdata=" + data,
            "--log=" + log,
            "-o",
            "-p " + candidate,
            "--wait",
            "--timeout=" + START_TIMEOUT.toSeconds(),
            "start");
    return start.ok() ? null : "pg_ctl start: exit " + start.exit() + ": " + start.said();
  }

  private void createDatabase() throws IOException, InterruptedException {
    psql(
        "postgres",
        "CREATE ROLE "
            + PASSWORD_USER
            + " LOGIN PASSWORD '"
            + password
            + "';\n"
            + "CREATE DATABASE "
            + DATABASE
            + " OWNER "
            + PASSWORD_USER
            + ";\n");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** The loopback port it listens on. */
  public int port() {
    return port;
  }

  /** The address it listens on: {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The database made for the tests: {@code edlink}, owned by {@link #passwordUser()}. */
  public String database() {
    return DATABASE;
  }

  /** {@code jdbc:postgresql://127.0.0.1:PORT/edlink}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
  }

  /** {@code postgres://USER@127.0.0.1:PORT/edlink}, as a user gives the tool its journal. */
  public String url(String user) {
    return "postgres://" + user + "@" + HOST + ":" + port + "/" + DATABASE;
  }

  /** The superuser, who connects without a password. */
  public String superuser() {
    return SUPERUSER;
  }

  /** The properties that connect as {@link #superuser()}: the user alone. */
  public Properties superuserProps() {
    Properties props = new Properties();
    props.setProperty("user", SUPERUSER);
    return props;
  }

  /** A connection of the test's own to the database, as {@link #superuser()}. */
  public Connection connect() throws SQLException {
    return new org.postgresql.Driver().connect(jdbcUrl(), superuserProps());
  }

  /**
   * A journal on the database as {@link #superuser()}, reached at {@code jdbcUrl} (this cluster's,
   * or a proxy's before it), its leases held for {@code lease}, {@code partWay} run inside each
   * change of several keys.
   */
  public PostgresJournal journal(String jdbcUrl, Duration lease, Runnable partWay)
      throws JournalException {
    return PostgresJournal.open(jdbcUrl, superuserProps(), url(SUPERUSER), lease, partWay);
  }

  /** As {@link #journal(String, Duration, Runnable)}, on this cluster's own address. */
  public PostgresJournal journal(Duration lease) throws JournalException {
    return journal(jdbcUrl(), lease, () -> {});
  }

  /** The role that connects over TCP only with {@link #password()}; it owns the database. */
  public String passwordUser() {
    return PASSWORD_USER;
  }

  /** {@link #passwordUser()}'s password, new for each cluster. */
  public String password() {
    return password;
  }

  /** The temporary directory that holds the cluster, its log and its socket. */
  public Path directory() {
    return directory;
  }

  /** The server's log so far. */
  public String log() {
    return read(log);
  }

  /**
   * The server's process id (its postmaster), from {@code postmaster.pid}; empty when it is not
   * running.
   */
  public OptionalLong pid() {
    String pidFile = read(data.resolve("postmaster.pid"));
    if (pidFile.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(pidFile.lines().findFirst().orElseThrow().strip()));
  }

  /** Drops every table of an edlink-idem journal, so that the next journal opened is new. */
  public void dropJournal() throws IOException, InterruptedException {
    psql(
        "drop table if exists edlink_idem_schema, edlink_idem_records, edlink_idem_entries,"
            + " edlink_idem_tombstones, edlink_idem_leases cascade;"
            + " drop sequence if exists edlink_idem_holders");
  }

  /**
   * Runs {@code sql} (one statement or several) through psql as the superuser on the database, and
   * returns what it printed: rows one a line, columns separated by {@code |}, no headers.
   *
   * @throws IllegalStateException with psql's message when a statement fails
   */
  public String psql(String sql) throws IOException, InterruptedException {
    return psql(DATABASE, sql);
  }

  private String psql(String database, String sql) throws IOException, InterruptedException {
    // Not as the server's user: psql connects over TCP, where the superuser needs no password.
    List<String> command =
        List.of(
            tools.psql().toString(),
            "--no-psqlrc",
            "--quiet",
            "--no-align",
            "--tuples-only",
            "--set=ON_ERROR_STOP=1",
            "--host=" + HOST,
            "--port=" + port,
            "--username=" + SUPERUSER,
            "--dbname=" + database,
            "--file=-");
    Result result = run(command, directory, directory, sql);
    if (!result.ok()) {
      throw new IllegalStateException(
          "psql failed (exit " + result.exit() + ") on: " + sql + "\n" + result.said());
    }
    return result.out();
  }

  /**
   * Has the server take TLS as well, with a new self-signed certificate for {@code 127.0.0.1} made
   * by the JDK's keytool, and restarts it to take it up: clients that ask for TLS get it (libpq's
   * sslmode prefer and up), the others are taken as before.
   *
   * @return the certificate in PEM, which a client that verifies the server (sslmode verify-ca or
   *     verify-full) takes as its CA file ({@code sslrootcert})
   * @throws IllegalStateException when keytool fails or the server does not start again
   */
  public synchronized Path serveTls() throws IOException, InterruptedException {
    Path store = directory.resolve("tls.p12");
    Path certificate = directory.resolve("server.crt");
    Path key = directory.resolve("server.key");
    // The store is only a way to the key and certificate: deleted once they are out of it.
    String storePassword = "throw-away";
    Result keytool =
        run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=" + HOST,
                "-ext",
                "san=ip:" + HOST,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                storePassword),
            directory,
            directory,
            null);
    if (!keytool.ok()) {
      throw new IllegalStateException(
          "keytool failed (exit " + keytool.exit() + "): " + keytool.said());
    }
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(in, storePassword.toCharArray());
      Files.writeString(
          certificate, pem("CERTIFICATE", keys.getCertificate("server").getEncoded()));
      // The server refuses a key file that others may read.
      Files.createFile(
          key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(
          key, pem("PRIVATE KEY", keys.getKey("server", storePassword.toCharArray()).getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the key keytool made in " + store, e);
    } finally {
      Files.deleteIfExists(store);
    }
    if (!tools.asServerUser().isEmpty()) {
      Files.setOwner(certificate, serverUser());
      Files.setOwner(key, serverUser());
    }
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\n# PostgresCluster.serveTls's\n"
            + "ssl = on\n"
            + ("ssl_cert_file = '" + certificate.toString().replace("'", "''") + "'\n")
            + ("ssl_key_file = '" + key.toString().replace("'", "''") + "'\n"),
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    restart();
    return certificate;
  }

  /** {@code der} in PEM, as {@code label} (CERTIFICATE, PRIVATE KEY). */
  private static String pem(String label, byte[] der) {
    return "-----BEGIN "
        + label
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + label
        + "-----\n";
  }

  /**
   * Stops the server if it runs (fast: open transactions are rolled back, connections ended), then
   * starts it again on the same port, as a database restarted under a running tool would be.
   *
   * @throws IllegalStateException when it does not start again, with the end of its log
   */
  public synchronized void restart() throws IOException, InterruptedException {
    stop();
    long logged = size(log);
    String failure = startOn(port);
    if (failure != null) {
      throw new IllegalStateException(
          "PostgreSQL did not start again on port "
              + port
              + ": "
              + failure
              + (logSince(logged).contains(PORT_TAKEN) ? " (another process took the port)" : "")
              + logTail());
    }
  }

  /**
   * Stops the server as a crash would (immediate: no checkpoint; what was committed without waiting
   * for the disk and not yet written by the server is lost, as with a power cut to its memory),
   * then starts it again on the same port, which replays its log.
   */
  public synchronized void crash() throws IOException, InterruptedException {
    Result stop = pgCtlStop("immediate");
    if (!stop.ok()) {
      throw new IllegalStateException(
          "pg_ctl stop -m immediate failed (exit " + stop.exit() + "): " + stop.said() + logTail());
    }
    restart();
  }

  /**
   * Stops the server the way an administrator would (fast: open transactions are rolled back,
   * connections ended) and waits until it has; nothing when it is not running. {@link #restart()}
   * starts it again.
   */
  public synchronized void stop() throws IOException, InterruptedException {
    if (pid().isEmpty()) {
      return;
    }
    Result stop = pgCtlStop("fast");
    if (!stop.ok()) {
      throw new IllegalStateException(
          "pg_ctl stop failed (exit " + stop.exit() + "): " + stop.said() + logTail());
    }
  }

  private Result pgCtlStop(String mode) throws IOException, InterruptedException {
    return runAsServer(
        tools.pgCtl(),
        "--pgdata=" + data,
        "--mode=" + mode,
        "--wait",
        "--timeout=" + EXIT_TIMEOUT.toSeconds(),
        "stop");
  }

  /**
   * Stops the server at once (immediate: as a crash would, which is all a throw-away cluster
   * needs), kills whatever of it is left, and deletes the directory. Harmless when called again.
   *
   * @throws IllegalStateException when a process of the server could not be ended or the directory
   *     not deleted
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // this is the hook, or the JVM is ending: it runs or has run
    }
    List<String> problems = new ArrayList<>();
    boolean interrupted = false;
    OptionalLong pid = OptionalLong.empty();
    try {
      pid = pid();
      if (pid.isPresent()) {
        Result stop = pgCtlStop("immediate");
        if (!stop.ok()) {
          problems.add("pg_ctl stop -m immediate: exit " + stop.exit() + ": " + stop.said());
        }
      }
    } catch (IOException | RuntimeException e) {
      problems.add("pg_ctl stop -m immediate: " + e);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    // pg_ctl may have failed, or never got to write postmaster.pid while the server ran.
    if (pid.isPresent()) {
      kill(pid.getAsLong(), problems);
    }
    try {
      deleteTree(directory);
    } catch (IOException | UncheckedIOException e) {
      problems.add("deleting " + directory + ": " + e);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("PostgreSQL in " + directory + " not closed: " + problems);
    }
  }

  /**
   * Whether process {@code pid} runs: it is alive and not a zombie. Not {@link
   * ProcessHandle#isAlive()} alone: the server is no child of this JVM, and the container's init
   * may take a second or two to reap it after it has ended.
   */
  static boolean running(long pid) {
    return ProcessHandle.of(pid).filter(PostgresCluster::alive).isPresent();
  }

  /** Kills the postmaster {@code pid} and its children if they are still alive, and waits. */
  private static void kill(long pid, List<String> problems) {
    Optional<ProcessHandle> postmaster = ProcessHandle.of(pid).filter(PostgresCluster::alive);
    if (postmaster.isEmpty()) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(postmaster.get().descendants().toList());
    all.add(postmaster.get());
    all.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
    for (ProcessHandle p : all) {
      while (alive(p)) {
        if (System.nanoTime() > deadline) {
          problems.add("process " + p.pid() + " still runs after SIGKILL");
          break;
        }
        LockSupport.parkNanos(WAKE_EVERY.toNanos());
      }
    }
  }

  /** Alive, and not a zombie that its parent has yet to reap ({@code /proc}'s state Z). */
  private static boolean alive(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    String stat = read(Path.of("/proc", Long.toString(p.pid()), "stat"));
    // The state follows the command's name, in parentheses that the name itself may contain.
    int end = stat.lastIndexOf(')');
    return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
  }

  /** The last lines of the server's log, for a failure's message. */
  private String logTail() {
    List<String> lines = read(log).lines().toList();
    return "\n-- the end of "
        + log
        + " --\n"
        + String.join(
            "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
  }

  /** What the log gained after its first {@code offset} bytes. */
  private String logSince(long offset) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    byte[] all = Files.readAllBytes(log);
    int from = (int) Math.min(offset, all.length);
    return new String(all, from, all.length - from, StandardCharsets.UTF_8);
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  /** Runs initdb or pg_ctl as the server's user, in the cluster's directory. */
  private Result runAsServer(Object... command) throws IOException, InterruptedException {
    return run(tools.asServer(command), directory, directory, null);
  }

  /**
   * Runs {@code command} in {@code workDirectory} with {@code input} (or nothing) on its standard
   * input, its output in files in {@code outputs} rather than pipes, and waits for it. Not pipes:
   * pg_ctl's server could hold a pipe open long after pg_ctl ends. No {@code PG*} variable of the
   * developer's reaches it.
   */
  private static Result run(List<String> command, Path workDirectory, Path outputs, String input)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(outputs, "out-", ".txt");
    Path err = Files.createTempFile(outputs, "err-", ".txt");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDirectory.toFile())
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      if (input == null) {
        builder.redirectInput(Redirect.from(new File("/dev/null")));
      }
      builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
      Process process = builder.start();
      if (input != null) {
        try (OutputStream stdin = process.getOutputStream()) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command)
                + " did not end within "
                + COMMAND_TIMEOUT.toSeconds()
                + " s; it said: "
                + read(out)
                + read(err));
      }
      return new Result(process.exitValue(), read(out), read(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String read(Path file) {
    try {
      // Not Files.readString: a byte that is not UTF-8 must not make a test fail here.
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
