package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.option.Durations;
import dev.edlinkidem.sandbox.CertificateFile;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import dev.edlinkidem.sandbox.SelfSignedCertificate;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edlink-idem sandbox}: runs the local Edlink-compatible server until the process is
 * stopped.
 */
@Command(
    name = "sandbox",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a local, stateful, Edlink-compatible server for demos, tests and CI: assignments and"
          + " any other collection under /api/v2/, Edlink's idempotency keys ($idempotency: a"
          + " repeat within 30 days gets the first response with the warning"
          + " IDEMPOTENCY_KEY_REPEATED), the request log GET /api/v2/graph/requests, and injected"
          + " faults.",
      "Prints 'listening on http://HOST:PORT' first, then one line per request, and runs until it"
          + " is stopped (Ctrl-C).",
      "With --tls it serves HTTPS instead, with a self-signed certificate for localhost, 127.0.0.1,"
          + " ::1 and --host, made at start: the first line is then 'listening on"
          + " https://HOST:PORT' and the second 'certificate PATH', the certificate's PEM file"
          + " for clients to trust (curl --cacert PATH, or this tool's --cacert PATH). For tests"
          + " only; the private key is never written.",
      "Tokens as Edlink has them: the Graph API (/api/v2/graph/) takes an integration token (any"
          + " token unless --token is given), the User API (/api/v2/my/) a user token the sandbox"
          + " issued. POST /__sandbox/user-tokens gives a user's token set; it expires after"
          + " --token-ttl and is refreshed at POST /api/authentication/token with --client-id and"
          + " --client-secret, which spends the old refresh token.",
      "Control endpoints, without a token: GET /__sandbox/stats, POST /__sandbox/reset, "
          + "GET or POST /__sandbox/faults (a JSON object with the option names below, "
          + "e.g. {\"error-rate\": 0.2, \"latency\": \"200ms\"}), POST /__sandbox/user-tokens,"
          + " and GET or POST /__sandbox/clock ({\"advance\": \"31d\"} moves the clock that"
          + " keys, the log and user tokens age by)."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  # do the work but lose 30%% of the answers, repeatably:",
      "  edlink-idem sandbox --drop-after-commit 0.3 --seed 42 &",
      "  export EDLINK_BASE_URL=http://127.0.0.1:8790 EDLINK_TOKEN=test",
      "  CLASS=5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15  # Edlink's ids are UUIDs",
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @assignment.json",
      "  # a user token, then an hour later by the sandbox's clock:",
      "  curl -s -X POST http://127.0.0.1:8790/__sandbox/user-tokens",
      "  curl -s -d '{\"advance\": \"1h\"}' http://127.0.0.1:8790/__sandbox/clock",
      "  curl -s http://127.0.0.1:8790/__sandbox/stats",
      "  # HTTPS; clients trust the certificate it writes to sandbox.pem:",
      "  edlink-idem sandbox --tls --port 8791 --tls-cert sandbox.pem &",
      "  curl -s --cacert sandbox.pem https://127.0.0.1:8791/__sandbox/stats",
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @assignment.json \\",
      "    --base-url https://127.0.0.1:8791 --cacert sandbox.pem"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  1:the server could not start",
      "  2:bad option, the port is taken, or --tls-cert cannot be written",
      "130:stopped with Ctrl-C (it runs until it is stopped)",
      "143:stopped with SIGTERM"
    })
public final class SandboxCommand implements Callable<Integer> {
  static final int DEFAULT_PORT = 8790;

  /** The file name suggested when {@code --tls-cert} names a directory. */
  private static final String PEM = "sandbox.pem";

  private final Invocation invocation;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "Port to listen on; 0 picks a free port (default ${DEFAULT-VALUE}).")
  int port = DEFAULT_PORT;

  @Option(
      names = "--host",
      paramLabel = "HOST",
      description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
  String host = "127.0.0.1";

  @Option(
      names = "--tls",
      description =
          "Serve HTTPS with a self-signed certificate made at start. Its file is printed on the"
              + " second line: 'certificate PATH'.")
  boolean tls;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description =
          "Write the certificate to FILE (PEM, public; replaced, and left there when the"
              + " sandbox stops); needs --tls. By default it goes to a new temporary directory,"
              + " removed when the sandbox stops.")
  Path tlsCert;

  @Option(
      names = "--token",
      paramLabel = "T",
      description =
          "Accept only this integration token (default: any token that is not a user token). A"
              + " test token, not a real one.")
  String token;

  @Option(
      names = "--token-ttl",
      paramLabel = "DUR",
      converter = Durations.class,
      description = "How long a user token works (default: 3600s, as Edlink's).")
  Duration tokenTtl = SandboxServer.Options.DEFAULT_USER_TOKEN_TTL;

  @Option(
      names = "--client-id",
      paramLabel = "ID",
      description =
          "The application's client id, for refreshing user tokens (default:"
              + " ${DEFAULT-VALUE}).")
  String clientId = SandboxServer.Options.DEFAULT_CLIENT_ID;

  @Option(
      names = "--client-secret",
      paramLabel = "SECRET",
      description =
          "The application's client secret (default: ${DEFAULT-VALUE}). A test secret,"
              + " not a real one.")
  String clientSecret = SandboxServer.Options.DEFAULT_CLIENT_SECRET;

  @Option(
      names = "--drop-after-commit",
      paramLabel = "P",
      description =
          "Probability of doing the work, remembering the answer, then closing the connection "
              + "without sending it (default 0).")
  double dropAfterCommit;

  @Option(
      names = "--drop-before-commit",
      paramLabel = "P",
      description =
          "Probability of closing the connection without answering and without doing anything"
              + " (default 0).")
  double dropBeforeCommit;

  @Option(
      names = "--error-rate",
      paramLabel = "P",
      description = "Probability of answering 503 without doing anything (default 0).")
  double errorRate;

  @Option(
      names = "--throttle-rate",
      paramLabel = "P",
      description =
          "Probability of answering 429 with Retry-After: 1 without doing anything (default 0).")
  double throttleRate;

  @Option(
      names = "--rate-limit",
      paramLabel = "N/s",
      description =
          "Allow each token N requests a second (a token bucket holding a second's worth); past"
              + " it, answer 429 with the Retry-After the bucket implies, without doing anything."
              + " Like 100/s or 0.5/s; off by default.")
  String rateLimit;

  @Option(
      names = "--internal-error-rate",
      paramLabel = "P",
      description = "Probability of answering 400 INTERNAL without doing anything (default 0).")
  double internalErrorRate;

  @Option(
      names = "--internal-after-commit",
      paramLabel = "P",
      description =
          "Probability of doing the work, then answering 400 INTERNAL, the answer the key then"
              + " keeps (default 0).")
  double internalAfterCommit;

  @Option(
      names = "--latency",
      paramLabel = "DUR",
      converter = Durations.class,
      description = "Delay before each API request is processed, like 200ms or 2s (default 0ms).")
  Duration latency = Duration.ZERO;

  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Seed of the fault dice: the same seed and requests give the same faults (default:"
              + " random).")
  Long seed;

  public SandboxCommand(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public Integer call() {
    SandboxServer server = start();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.close();
              stopped.countDown();
            },
            "sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
      return ExitCode.OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ExitCode.INTERRUPTED;
    } finally {
      server.close();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // the JVM is already shutting down, and the hook is running
      }
    }
  }

  /**
   * Starts the server and prints the listening line, and with {@code --tls} the certificate line;
   * the caller owns the server, whose closing removes a temporary certificate file.
   */
  SandboxServer start() {
    Faults faults = faults();
    if (port < 0 || port > 65535) {
      throw CliException.usage("--port must be from 0 to 65535, got " + port);
    }
    if (tokenTtl.isZero()) {
      throw CliException.usage("--token-ttl must be longer than zero");
    }
    if (clientId.isEmpty() || clientSecret.isEmpty()) {
      throw CliException.usage("--client-id and --client-secret must not be empty");
    }
    checkCertificateFile();
    SelfSignedCertificate certificate =
        tls
            ? SelfSignedCertificate.generate(invocation.time().now(), host, invocation.random())
            : null;
    long dice = seed != null ? seed : invocation.random().nextLong();
    PrintWriter out = invocation.out();
    SandboxServer server;
    try {
      server =
          SandboxServer.start(
              new SandboxServer.Options(
                  host, port, token, faults, dice, tokenTtl, clientId, clientSecret, certificate),
              line -> {
                synchronized (out) {
                  out.println(line);
                  out.flush();
                }
              });
    } catch (BindException e) {
      // A usage error: the chosen --port or --host is what the user changes to fix it.
      throw CliException.usage(
          "cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); is another sandbox running? Pick another port with --port N, or 0 for a free"
              + " one");
    } catch (UnknownHostException e) {
      throw CliException.usage("cannot listen on host '" + host + "': no such host");
    } catch (IOException e) {
      throw new CliException(
          ExitCode.INTERNAL,
          "cannot start the sandbox on " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
    CertificateFile file = certificate == null ? null : writeCertificate(server, certificate);
    synchronized (out) {
      out.println("listening on " + server.baseUrl());
      if (file != null) {
        // Its own line, second, in this form: scripts read the path from it.
        out.println("certificate " + file.path());
      }
      out.flush();
    }
    if (seed == null && faults().any()) {
      invocation
          .err()
          .println("edlink-idem: faults drawn with --seed " + dice + " (pass it to repeat them)");
    }
    return server;
  }

  /**
   * Refuses {@code --tls-cert} without {@code --tls}, and a file that cannot be: a directory, or in
   * a directory that does not exist. Checked before anything starts or is overwritten.
   */
  private void checkCertificateFile() {
    if (tlsCert == null) {
      return;
    }
    if (!tls) {
      throw CliException.usage("--tls-cert needs --tls: the certificate is only made for HTTPS");
    }
    Path file = tlsCert.toAbsolutePath();
    if (Files.isDirectory(file)) {
      throw CliException.usage(
          "--tls-cert " + tlsCert + " is a directory; name a file, like " + file.resolve(PEM));
    }
    Path directory = file.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw CliException.usage(
          "--tls-cert " + tlsCert + ": no such directory " + directory + "; create it first");
    }
  }

  /**
   * Writes the certificate where {@code --tls-cert} says, else to a temporary file that goes when
   * {@code server} is closed; on failure the server is closed and the error is one line.
   */
  private CertificateFile writeCertificate(
      SandboxServer server, SelfSignedCertificate certificate) {
    try {
      CertificateFile file =
          tlsCert == null
              ? CertificateFile.temporary(certificate.pem())
              : CertificateFile.replace(tlsCert, certificate.pem());
      server.whenClosed(file::close);
      return file;
    } catch (IOException e) {
      server.close();
      if (tlsCert == null) {
        throw new CliException(
            ExitCode.INTERNAL,
            "cannot write the sandbox's certificate to a temporary file: " + reason(e),
            e);
      }
      throw CliException.usage(
          "cannot write the certificate to --tls-cert " + tlsCert + ": " + reason(e));
    }
  }

  /** Why a file could not be written, in a few words. */
  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      // The directory exists (checked first), yet a file cannot be made in it, as in /proc.
      return "no file can be made in that directory";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private Faults faults() {
    return new Faults(
        probability("--drop-after-commit", dropAfterCommit),
        probability("--drop-before-commit", dropBeforeCommit),
        probability("--error-rate", errorRate),
        probability("--throttle-rate", throttleRate),
        latency,
        probability("--internal-error-rate", internalErrorRate),
        probability("--internal-after-commit", internalAfterCommit),
        rateLimit());
  }

  private double rateLimit() {
    if (rateLimit == null) {
      return 0;
    }
    try {
      return Faults.parseRateLimit(rateLimit);
    } catch (IllegalArgumentException e) {
      throw CliException.usage("--" + e.getMessage());
    }
  }

  private static double probability(String option, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw CliException.usage(option + " must be a probability from 0 to 1, like 0.3; got " + p);
    }
    return p;
  }
}
