package dev.edlinkidem.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.edlinkidem.time.DurationSyntax;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A local, stateful, Edlink-compatible HTTP server with Edlink's idempotency semantics and injected
 * faults; HTTPS with a certificate of its own when {@link Options#tls()} is given. API requests go
 * under {@code /api/v2/}; {@code /__sandbox/stats}, {@code /__sandbox/reset} and {@code
 * /__sandbox/faults} control it without a token.
 */
public final class SandboxServer implements AutoCloseable {
  /** Edlink's maximum request size. */
  static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

  private static final int MAX_CONTROL_BODY_BYTES = 64 * 1024;

  /** Connections the kernel queues before the server accepts them. */
  private static final int BACKLOG = 128;

  /** Edlink's OAuth token endpoint, where user tokens are refreshed. */
  static final String TOKEN_ENDPOINT = "/api/authentication/token";

  static {
    // The JDK server writes a response's headers and body separately; without TCP_NODELAY each
    // answer waits ~40 ms for the client's delayed ACK. The property is read once, when the
    // first HttpServer is created, so it is set here unless the user chose otherwise.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /**
   * How a sandbox is started.
   *
   * @param integrationToken the only integration token accepted, or null to accept any token that
   *     is not a user token
   * @param seed the seed of the fault dice: the same seed and requests give the same faults
   * @param userTokenTtl how long a user token issued or refreshed by the sandbox works
   * @param clientId the application whose client id and secret refresh user tokens
   * @param tls the certificate to serve HTTPS with, or null to serve plain HTTP
   */
  public record Options(
      String host,
      int port,
      String integrationToken,
      Faults faults,
      long seed,
      Duration userTokenTtl,
      String clientId,
      String clientSecret,
      SelfSignedCertificate tls) {
    /** Edlink's user tokens work for an hour. */
    public static final Duration DEFAULT_USER_TOKEN_TTL = Duration.ofHours(1);

    public static final String DEFAULT_CLIENT_ID = "sandbox-client";
    public static final String DEFAULT_CLIENT_SECRET = "sandbox-secret";

    public Options {
      Objects.requireNonNull(faults, "faults");
      if (userTokenTtl.isNegative() || userTokenTtl.isZero()) {
        throw new IllegalArgumentException("a user token must work for longer than zero");
      }
    }

    /** A plain-HTTP sandbox with Edlink's hour-long user tokens and the default application. */
    public static Options of(
        String host, int port, String integrationToken, Faults faults, long seed) {
      return new Options(
          host,
          port,
          integrationToken,
          faults,
          seed,
          DEFAULT_USER_TOKEN_TTL,
          DEFAULT_CLIENT_ID,
          DEFAULT_CLIENT_SECRET,
          null);
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Sandbox sandbox;
  private final Consumer<String> log;
  private final Clock clock;
  private final URI baseUrl;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<Runnable> whenClosed = new CopyOnWriteArrayList<>();

  private SandboxServer(
      HttpServer server,
      ExecutorService executor,
      Sandbox sandbox,
      Consumer<String> log,
      Clock clock,
      URI baseUrl) {
    this.server = server;
    this.executor = executor;
    this.sandbox = sandbox;
    this.log = log;
    this.clock = clock;
    this.baseUrl = baseUrl;
  }

  /**
   * Binds {@code host:port} (port 0 picks a free port) and starts serving.
   *
   * @param requiredToken the only integration token accepted, or null to accept any
   * @param seed the seed of the fault dice: the same seed and requests give the same faults
   * @param log receives one line per request; never the token
   * @throws java.net.BindException when the port is taken or the host is not this machine's
   */
  public static SandboxServer start(
      String host, int port, String requiredToken, Faults faults, long seed, Consumer<String> log)
      throws IOException {
    return start(Options.of(host, port, requiredToken, faults, seed), log);
  }

  static SandboxServer start(
      String host,
      int port,
      String requiredToken,
      Faults faults,
      long seed,
      Consumer<String> log,
      Clock clock)
      throws IOException {
    return start(Options.of(host, port, requiredToken, faults, seed), log, clock);
  }

  /** Starts a sandbox as {@code options} say; {@code log} receives one line per request. */
  public static SandboxServer start(Options options, Consumer<String> log) throws IOException {
    return start(options, log, Clock.systemUTC());
  }

  static SandboxServer start(Options options, Consumer<String> log, Clock clock)
      throws IOException {
    Objects.requireNonNull(log, "log");
    String host = options.host();
    InetSocketAddress address = new InetSocketAddress(host, options.port());
    if (address.isUnresolved()) {
      throw new UnknownHostException("cannot resolve host '" + host + "'");
    }
    HttpServer server =
        options.tls() == null
            ? HttpServer.create(address, BACKLOG)
            : Https.server(address, BACKLOG, options.tls());
    // Requests must run concurrently: a repeat of a key in flight gets 409 only while the first
    // is still sleeping its latency.
    ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
    SandboxClock sandboxClock = new SandboxClock(clock);
    Sandbox sandbox = new Sandbox(options, sandboxClock);
    String shownHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    String scheme = options.tls() == null ? "http" : "https";
    URI baseUrl = URI.create(scheme + "://" + shownHost + ":" + server.getAddress().getPort());
    SandboxServer sandboxServer =
        new SandboxServer(server, executor, sandbox, log, sandboxClock, baseUrl);
    server.createContext("/", sandboxServer::handle);
    server.setExecutor(executor);
    server.start();
    return sandboxServer;
  }

  /** {@code http://HOST:PORT}, or {@code https://HOST:PORT} with TLS, without a trailing slash. */
  public URI baseUrl() {
    return baseUrl;
  }

  public void setFaults(Faults faults) {
    sandbox.setFaults(faults);
  }

  public Faults faults() {
    return sandbox.faults();
  }

  /** The same JSON as {@code GET /__sandbox/stats}. */
  public JsonObject stats() {
    return sandbox.stats();
  }

  /** A new user's token set, as {@code POST /__sandbox/user-tokens} answers it. */
  public JsonObject issueUserTokens() {
    return sandbox.issueUserTokens();
  }

  /** Moves the sandbox's clock forward, as {@code POST /__sandbox/clock} does. */
  public void advanceClock(Duration by) {
    sandbox.advanceClock(by);
  }

  /**
   * Forgets all records, keys, log entries and counters; the faults stay and the dice start again
   * from the seed.
   */
  public void reset() {
    sandbox.reset();
  }

  /**
   * Has {@code action} run once the server has stopped, when it is closed (at once if it already
   * is): what was made for this server, like its certificate's temporary file, goes with it.
   */
  public void whenClosed(Runnable action) {
    whenClosed.add(action);
    if (closed.get() && whenClosed.remove(action)) {
      action.run();
    }
  }

  /**
   * Stops at once: open connections are closed and requests still sleeping their latency are
   * dropped. Then the {@link #whenClosed} actions run.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (Runnable action : whenClosed) {
        if (whenClosed.remove(action)) {
          action.run();
        }
      }
    }
  }

  private void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    try {
      if (path.startsWith("/__sandbox/")) {
        control(exchange, method, path);
      } else if (path.equals("/api/v2") || path.startsWith("/api/v2/")) {
        api(exchange, method, path);
      } else if (path.equals(TOKEN_ENDPOINT)) {
        token(exchange, method, path);
      } else {
        send(
            exchange,
            Reply.error(404, "NOT_FOUND", "the sandbox serves /api/v2/ and /__sandbox/ only"));
        logLine(method, path, null, "404 NOT_FOUND");
      }
    } catch (InterruptedException e) {
      // Closing: the request is dropped unanswered.
      Thread.currentThread().interrupt();
      logLine(method, path, null, "dropped: sandbox closing");
    } catch (IOException e) {
      logLine(method, path, null, "connection lost: " + e.getMessage());
    } catch (RuntimeException e) {
      logLine(method, path, null, "500 internal error: " + e);
      try {
        send(exchange, Reply.error(500, "INTERNAL_ERROR", "the sandbox failed: " + e));
      } catch (IOException | RuntimeException ignored) {
        // the answer may already be under way; closing the exchange is all that is left
      }
    } finally {
      exchange.close();
    }
  }

  private void api(HttpExchange exchange, String method, String path)
      throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
    if (body.length > MAX_BODY_BYTES) {
      send(exchange, Reply.error(413, "REQUEST_TOO_LARGE", "requests are limited to 32 MB"));
      logLine(method, path, null, "413 REQUEST_TOO_LARGE");
      return;
    }
    ApiRequest request =
        new ApiRequest(
            method,
            path,
            ApiRequest.parseQuery(exchange.getRequestURI().getRawQuery()),
            bearerToken(exchange),
            new String(body, StandardCharsets.UTF_8),
            origin(exchange),
            exchange.getRequestURI().getRawPath()
                + (exchange.getRequestURI().getRawQuery() == null
                    ? ""
                    : "?" + exchange.getRequestURI().getRawQuery()),
            new ApiRequest.Client(
                exchange.getRemoteAddress().getAddress().getHostAddress(),
                exchange.getRequestHeaders().getFirst("User-Agent")));
    Sandbox.Outcome outcome = sandbox.handle(request);
    // Logged before the client hears anything, so that whoever reads the log (a test changing
    // faults after one request) has the line before the client goes on to its next request.
    logLine(method, path, request.idempotencyKey(), outcome.summary());
    if (!outcome.dropped()) {
      send(exchange, outcome.reply());
    }
    // When dropped, the exchange is closed before any header is sent, and the JDK server then
    // closes the socket: the client sees the connection end without a response.
  }

  /**
   * {@code POST /api/authentication/token}: refreshes a user token. The body is JSON, as Edlink's
   * SDK sends it, or form-encoded, as OAuth clients send it.
   */
  private void token(HttpExchange exchange, String method, String path) throws IOException {
    Reply reply;
    if (!method.equals("POST")) {
      reply = Reply.error(405, "METHOD_NOT_ALLOWED", "the token endpoint takes POST");
    } else {
      Map<String, String> form = formOrJson(controlBody(exchange));
      reply =
          form == null
              ? Reply.error(
                  400, "BAD_REQUEST", "send the fields as JSON or as a form (grant_type=...&...)")
              : sandbox.grant(form);
    }
    send(exchange, reply);
    String code = reply.errorCode();
    logLine(method, path, null, reply.status() + (code == null ? " token refreshed" : " " + code));
  }

  /** The fields of a JSON object whose values are strings, or of a form; null for neither. */
  private static Map<String, String> formOrJson(String body) {
    String text = body.strip();
    if (!text.startsWith("{")) {
      return ApiRequest.parseQuery(text);
    }
    try {
      JsonElement json = Json.parse(text);
      Map<String, String> fields = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : json.getAsJsonObject().entrySet()) {
        if (e.getValue().isJsonPrimitive()) {
          fields.put(e.getKey(), e.getValue().getAsString());
        }
      }
      return fields;
    } catch (JsonParseException | IllegalStateException e) {
      return null;
    }
  }

  private void control(HttpExchange exchange, String method, String path) throws IOException {
    Reply reply;
    switch (method + " " + path) {
      case "GET /__sandbox/stats":
        reply = plain(sandbox.stats());
        break;
      case "POST /__sandbox/reset":
        sandbox.reset();
        reply = plain(sandbox.stats());
        break;
      case "GET /__sandbox/faults":
        reply = plain(FaultsJson.write(sandbox.faults()));
        break;
      case "POST /__sandbox/faults":
        reply = changeFaults(exchange);
        break;
      case "POST /__sandbox/user-tokens":
        reply = plain(sandbox.issueUserTokens());
        break;
      case "GET /__sandbox/clock":
        reply = plain(sandbox.clock());
        break;
      case "POST /__sandbox/clock":
        reply = moveClock(exchange);
        break;
      default:
        reply =
            CONTROL_PATHS.contains(path)
                ? Reply.error(405, "METHOD_NOT_ALLOWED", method + " is not allowed on " + path)
                : Reply.error(
                    404,
                    "NOT_FOUND",
                    "control endpoints: GET /__sandbox/stats, POST /__sandbox/reset, GET or POST"
                        + " /__sandbox/faults, POST /__sandbox/user-tokens, GET or POST"
                        + " /__sandbox/clock");
    }
    send(exchange, reply);
    String code = reply.errorCode();
    logLine(method, path, null, reply.status() + (code == null ? "" : " " + code));
  }

  private Reply changeFaults(HttpExchange exchange) throws IOException {
    return withJsonObject(
        exchange,
        "{\"drop-after-commit\": 0.3, \"latency\": \"200ms\"}",
        changes -> {
          synchronized (sandbox) {
            sandbox.setFaults(FaultsJson.update(sandbox.faults(), changes));
          }
          return plain(FaultsJson.write(sandbox.faults()));
        });
  }

  /** {@code POST /__sandbox/clock} with {@code {"advance": "2h"}}: moves the clock forward. */
  private Reply moveClock(HttpExchange exchange) throws IOException {
    return withJsonObject(
        exchange,
        "{\"advance\": \"2h\"} (how far to move the clock forward, like 90s, 2h or 31d)",
        move -> {
          if (!move.keySet().equals(Set.of("advance")) || !move.get("advance").isJsonPrimitive()) {
            throw new IllegalArgumentException(
                "send {\"advance\": \"2h\"}: how far to move the clock forward, like 90s, 2h or"
                    + " 31d");
          }
          sandbox.advanceClock(DurationSyntax.parse(move.get("advance").getAsString()));
          return plain(sandbox.clock());
        });
  }

  /**
   * Hands a control endpoint's body, a JSON object like {@code example}, to {@code change}; a body
   * that is not one, or that {@code change} refuses with an IllegalArgumentException, is 400.
   */
  private static Reply withJsonObject(
      HttpExchange exchange, String example, Function<JsonObject, Reply> change)
      throws IOException {
    try {
      JsonElement json = Json.parse(controlBody(exchange));
      if (json == null || !json.isJsonObject()) {
        throw new IllegalArgumentException("send a JSON object such as " + example);
      }
      return change.apply(json.getAsJsonObject());
    } catch (JsonParseException e) {
      return Reply.error(400, "BAD_REQUEST", "the body is not valid JSON");
    } catch (IllegalArgumentException e) {
      return Reply.error(400, "BAD_REQUEST", e.getMessage());
    }
  }

  /** The body of a request that is not an API request, up to 64 KiB. */
  private static String controlBody(HttpExchange exchange) throws IOException {
    return new String(
        exchange.getRequestBody().readNBytes(MAX_CONTROL_BODY_BYTES), StandardCharsets.UTF_8);
  }

  /** Control endpoints answer bare JSON, without Edlink's envelope. */
  private static Reply plain(JsonObject body) {
    return new Reply(200, body, Map.of());
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = Json.bytes(reply.body());
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    reply.headers().forEach(exchange.getResponseHeaders()::set);
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static String bearerToken(HttpExchange exchange) {
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Scheme, host and port as the client addressed the sandbox, for links it can follow. */
  private String origin(HttpExchange exchange) {
    String host = exchange.getRequestHeaders().getFirst("Host");
    return host == null || host.isBlank()
        ? baseUrl.toString()
        : baseUrl.getScheme() + "://" + host.trim();
  }

  private void logLine(String method, String path, String key, String summary) {
    StringBuilder line =
        new StringBuilder()
            .append(clock.instant().truncatedTo(ChronoUnit.SECONDS))
            .append(' ')
            .append(method)
            .append(' ')
            .append(printable(path));
    if (key != null) {
      line.append(" key=")
          .append(
              key.length() > IdempotencyStore.MAX_KEY_LENGTH
                  ? printable(key.substring(0, 16)) + "...(" + key.length() + " characters)"
                  : printable(key));
    }
    line.append(" -> ").append(summary);
    try {
      log.accept(line.toString());
    } catch (RuntimeException e) {
      // A failing log must not fail the request.
    }
  }

  /** Control characters from a decoded path or key would forge extra log lines. */
  private static String printable(String text) {
    return text.replaceAll("\\p{Cntrl}", "?");
  }

  private static final Set<String> CONTROL_PATHS =
      Set.of(
          "/__sandbox/stats",
          "/__sandbox/reset",
          "/__sandbox/faults",
          "/__sandbox/user-tokens",
          "/__sandbox/clock");

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "sandbox-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
