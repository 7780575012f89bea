package dev.edlinkidem.system;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real HTTP proxy for tests: Debian's tinyproxy, started in the foreground on a free loopback
 * port with a configuration of its own, optionally asking for Basic credentials; closing it stops
 * it. Tests that need it skip with {@link #whyUnavailable()} as their reason where it is absent.
 *
 * <p>What tinyproxy 1.11.1 does, as tried by hand (the answers are held by {@code
 * ProxyFixturesTest}):
 *
 * <ul>
 *   <li>It tunnels a {@code CONNECT} to any port (there is no {@code ConnectPort} line) and answers
 *       {@code HTTP/1.0 200 Connection established}.
 *   <li>With {@code BasicAuth}, a request without {@code Proxy-Authorization} gets {@code HTTP/1.0
 *       407 Proxy Authentication Required} with {@code Proxy-Authenticate: Basic
 *       realm="Tinyproxy"}; one with wrong credentials, or another scheme than Basic, gets {@code
 *       HTTP/1.0 401 Unauthorized} with {@code WWW-Authenticate}, not a second 407. Both close the
 *       connection.
 *   <li>Its log (level Info, the most its configuration takes) has one line per request, {@code
 *       Request (file descriptor N): CONNECT 127.0.0.1:PORT HTTP/1.1}, and lines on connections
 *       opened and closed; it never logs a header, so no token or password can be in it. The first
 *       {@code Connect} line is this class checking that the port is open.
 *   <li>A plain-http request through it is forwarded with its {@code Authorization} header, and
 *       without {@code Proxy-Authorization}.
 *   <li>{@code BasicAuth} takes only letters, digits, {@code -}, {@code .} and {@code _}; anything
 *       else is a syntax error (exit 70). A port in use ends it with exit 71, "Could not create
 *       listening sockets".
 *   <li>A SIGTERM that comes right after a connection can be missed until the next one, which
 *       {@link #close()} works around.
 * </ul>
 */
public final class Tinyproxy implements LoopbackProxy {
  /** How to get tinyproxy, for a skip's reason. */
  public static final String INSTALL = "apt-get install tinyproxy (.ci/run does, as root)";

  /** What its configuration accepts in {@code BasicAuth}: anything else fails to parse. */
  private static final Pattern CREDENTIAL = Pattern.compile("[-A-Za-z0-9._]+");

  private static final Pattern VERSION = Pattern.compile("tinyproxy (\\d+)\\.(\\d+)");

  /** What it says when another process took the port between our finding it and its binding. */
  private static final String PORT_TAKEN = "Could not create listening sockets";

  private static final int ATTEMPTS = 5;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration WAKE_EVERY = Duration.ofMillis(100);

  /** {@link #whyUnavailable()}'s answer, once asked. */
  private static Optional<String> unavailable;

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Path output;

  private Tinyproxy(Process process, int port, Path logFile, Path output) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.output = output;
  }

  /**
   * Why tinyproxy cannot be used here (not installed, does not run, older than 1.11, whose
   * behaviour this class describes), or empty when it can. For {@code assumeTrue(reason.isEmpty(),
   * reason::get)}; asked once per JVM.
   */
  public static synchronized Optional<String> whyUnavailable() {
    if (unavailable == null) {
      unavailable = whyUnavailable(binary());
    }
    return unavailable;
  }

  /** Why {@code binary} (the found tinyproxy, or none) cannot be used, or empty when it can. */
  static Optional<String> whyUnavailable(Optional<Path> binary) {
    if (binary.isEmpty()) {
      return Optional.of("tinyproxy not installed: " + INSTALL);
    }
    String out;
    try {
      Process p =
          new ProcessBuilder(binary.get().toString(), "-v").redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of(binary.get() + " -v did not end");
      }
    } catch (IOException e) {
      return Optional.of(binary.get() + " does not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted while asking tinyproxy its version");
    }
    return whyUnusable(out);
  }

  /**
   * Why the tinyproxy whose {@code -v} said {@code version} cannot be used (no version, or older
   * than the 1.11 this class describes), or empty when it can.
   */
  static Optional<String> whyUnusable(String version) {
    Matcher v = VERSION.matcher(version);
    if (!v.find()) {
      return Optional.of("tinyproxy -v said no version: " + version);
    }
    int major = Integer.parseInt(v.group(1));
    int minor = Integer.parseInt(v.group(2));
    if (major < 1 || (major == 1 && minor < 11)) {
      return Optional.of(
          version + " is older than the 1.11 these tests were written for: " + INSTALL);
    }
    return Optional.empty();
  }

  /** Where tinyproxy is: the first of {@code PATH}, {@code /usr/bin} and {@code /usr/sbin}. */
  public static Optional<Path> binary() {
    String path = System.getenv().getOrDefault("PATH", "");
    return Stream.concat(
            Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()),
            Stream.of("/usr/bin", "/usr/sbin"))
        .map(d -> Path.of(d, "tinyproxy"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Starts one that asks for no credentials, its files in {@code directory}. */
  public static Tinyproxy start(Path directory) throws IOException, InterruptedException {
    return start(directory, null, null);
  }

  /**
   * Starts one that asks for Basic credentials {@code user} and {@code password} (letters, digits,
   * {@code -}, {@code .} and {@code _} only: tinyproxy takes nothing else), its files in {@code
   * directory}.
   */
  public static Tinyproxy start(Path directory, String user, String password)
      throws IOException, InterruptedException {
    if (user != null || password != null) {
      for (String part : new String[] {user, password}) {
        if (part == null || !CREDENTIAL.matcher(part).matches()) {
          throw new IllegalArgumentException(
              "tinyproxy's BasicAuth takes only [-A-Za-z0-9._]+, not: " + part);
        }
      }
    }
    Path binary =
        binary()
            .orElseThrow(() -> new IllegalStateException("tinyproxy not installed: " + INSTALL));
    Path logFile = directory.resolve("tinyproxy.log").toAbsolutePath();
    if (logFile.toString().contains("\"")) {
      throw new IllegalArgumentException("a quote in the log's path: " + logFile);
    }
    Path config = directory.resolve("tinyproxy.conf");
    Path output = directory.resolve("tinyproxy.out");
    List<String> failures = new ArrayList<>();
    // Another process may take the free port before tinyproxy binds it: then try another.
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      int port = freePort();
      Files.writeString(config, config(port, logFile, user, password), StandardCharsets.UTF_8);
      Files.deleteIfExists(logFile);
      Process process =
          new ProcessBuilder(binary.toString(), "-d", "-c", config.toString())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      Tinyproxy proxy = new Tinyproxy(process, port, logFile, output);
      String failure = proxy.awaitListening();
      if (failure == null) {
        return proxy;
      }
      proxy.close();
      failures.add("port " + port + ": " + failure);
      if (!failure.contains(PORT_TAKEN)) {
        break;
      }
    }
    throw new IllegalStateException(
        "tinyproxy did not start (" + binary + ", config " + config + "): " + failures);
  }

  private static String config(int port, Path logFile, String user, String password) {
    // No ConnectPort line: CONNECT to any port is allowed, as the sandbox's port is any.
    StringBuilder c =
        new StringBuilder()
            .append("Port ")
            .append(port)
            .append("\nListen 127.0.0.1\nAllow 127.0.0.1\n")
            .append("LogFile \"")
            .append(logFile)
            .append("\"\nLogLevel Info\nMaxClients 50\nTimeout 60\n");
    if (user != null) {
      c.append("BasicAuth ").append(user).append(' ').append(password).append('\n');
    }
    return c.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Null once the port takes a connection; what went wrong otherwise. */
  private String awaitListening() throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return "it ended with exit " + process.exitValue() + "; it said: " + said();
      }
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
        return null;
      } catch (IOException notYet) {
        Thread.sleep(20);
      }
    }
    return "port "
        + port
        + " took no connection within "
        + START_TIMEOUT.toSeconds()
        + " s; it said: "
        + said();
  }

  /** What it printed, and its log, for a failure's message. */
  private String said() {
    return read(output).strip() + " | log: " + log().strip();
  }

  @Override
  public int port() {
    return port;
  }

  /** Its log file. */
  public Path logFile() {
    return logFile;
  }

  /** Its log so far: what it wrote to {@link #logFile()}. */
  public String log() {
    return read(logFile);
  }

  /**
   * Its log once it contains {@code text}; tinyproxy writes a line before it answers, but a test
   * that checks the log need not rely on that.
   *
   * @throws AssertionError with the log, when {@code text} has not come within 10 seconds
   */
  public String awaitLog(String text) throws InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    String log = log();
    while (!log.contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("tinyproxy's log never said '" + text + "'; it is:\n" + log);
      }
      Thread.sleep(20);
      log = log();
    }
    return log;
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

  /**
   * Stops it and waits for it to end: SIGTERM, then SIGKILL if it still runs after 5 seconds.
   *
   * <p>tinyproxy 1.11 checks for a SIGTERM, then waits for a connection with no timeout: a signal
   * that comes in between (right after a connection, say) is only seen at the next connection. So
   * while it has not ended, this connects to it now and then to wake it.
   */
  @Override
  public void close() {
    process.destroy();
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    try {
      while (!process.waitFor(WAKE_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
        if (System.nanoTime() > deadline) {
          process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          return;
        }
        wake();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void wake() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
    } catch (IOException gone) {
      // it stopped listening: it is ending
    }
  }
}
