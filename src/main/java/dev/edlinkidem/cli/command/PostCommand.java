package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Version;
import dev.edlinkidem.cli.option.Bodies;
import dev.edlinkidem.cli.option.OutputOptions;
import dev.edlinkidem.cli.option.SendOptions;
import dev.edlinkidem.cli.render.JsonDocument;
import dev.edlinkidem.cli.render.ResultPrinter;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.KeyInFlightException;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.request.IdempotencyKey;
import dev.edlinkidem.request.InvalidRequestException;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.send.KeySettler;
import dev.edlinkidem.send.Settlement;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Verdict;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code post PATH}: journal a POST, then send it with its idempotency key until it has an answer.
 */
@Command(
    name = "post",
    mixinStandardHelpOptions = true,
    description =
        "Send one POST with an idempotency key. The request is written to the journal and forced to"
            + " disk before its first byte is sent; transient failures are retried with the same"
            + " key.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @assignment.json",
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @- --key-from"
          + " \"$CI_JOB_ID-$CLASS\" < a.json",
      "  edlink-idem post /api/v2/my/classes/$CLASS/assignments -d '{\"title\":\"Essay\",...}'"
          + " --dry-run"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  0:success: a 2xx response, sent now or read from the journal",
      "  1:the journal could not be written (nothing was sent)",
      "  2:bad input (nothing journaled, nothing sent)",
      "  3:refused for safety",
      "  4:the request refused for good (failed), or the token refused (stays pending)",
      "  5:Edlink failed (INTERNAL, UNKNOWN, 5xx, 429...) to the end (pending: replay it)",
      "  6:no response (pending: replay it)",
      "130:interrupted (a journaled entry stays pending)"
    })
public final class PostCommand implements Callable<Integer> {
  @ParentCommand private EdlinkIdem root;

  @Parameters(
      paramLabel = "PATH",
      description =
          "API path such as /api/v2/graph/classes/ID/assignments, or a full URL on the base URL's"
              + " host.")
  private String path;

  @Option(
      names = {"-d", "--data"},
      paramLabel = "JSON|@FILE|@-",
      description =
          "The JSON body: inline, from FILE, or from stdin. Without it the body is empty.")
  private String data;

  @ArgGroup(exclusive = true)
  private KeyChoice keyChoice = new KeyChoice();

  @Mixin private SendOptions send;

  @Mixin private OutputOptions output;

  @Option(
      names = "--dry-run",
      description = "Print the request that would be sent; journal and send nothing.")
  private boolean dryRun;

  /** --key and --key-from exclude each other. */
  static final class KeyChoice {
    @Option(
        names = {"-k", "--key"},
        paramLabel = "KEY",
        description =
            "The idempotency key: 1-255 of A-Z a-z 0-9 . _ ~ : - (default: 32 random base62"
                + " characters).")
    String key;

    @Option(
        names = "--key-from",
        paramLabel = "TEXT",
        description =
            "Derive the key from TEXT (hex SHA-256), so that a re-run CI job sends the same key.")
    String keyFrom;
  }

  @Override
  public Integer call() {
    Invocation invocation = root.invocation();
    invocation.now(); // a malformed EDLINK_IDEM_NOW is a usage error before anything else
    String url = Destination.resolve(path, root.settings().baseUrl(), send.allowedHosts());
    boolean tls = Network.usesTls(url);
    try {
      return post(invocation, url, tls);
    } finally {
      send.closeUnusedClient();
    }
  }

  private int post(Invocation invocation, String url, boolean tls) {
    if ("@-".equals(data) && invocation.terminal().stdin() && !root.style().quiet()) {
      invocation.err().println("edlink-idem: reading the body from stdin; end it with Ctrl-D");
    }
    byte[] body =
        data == null
            ? new byte[0]
            : Bodies.read(data, invocation.stdin(), root.settings()::expandHome);
    // The network settings may come from the profile: read after the body, so that a post refused
    // for its body reads no profile.
    send.routed(root, url);
    if (dryRun) {
      send.checkCas(root, tls);
    } else {
      send.buildClientAhead(root, tls);
    }
    String key = key(invocation);
    JournaledRequest request = JournaledRequest.post(url, body);
    RetryPolicy policy = send.policy(root);
    if (dryRun) {
      return dryRun(request, key);
    }
    Bearer token = send.bearer(root);
    ResultPrinter printer = new ResultPrinter(root, output, true, send.replayArgs());
    KeyRunner runner =
        new KeyRunner(
            root, printer, policy.attempts(), listener -> send.sender(root, token, listener, tls));
    try (Journal journal = JournalAccess.open(root.settings(), root.invocation().environment());
        Journal.Lease lease = journal.lease(key)) {
      Optional<Entry> existing = runner.entryOf(lease);
      KeyRunner.reportProblems(root, journal.problems());
      Settlement settlement = KeySettler.settle(journal, key, existing, request, invocation.now());
      return printer.print(
          switch (settlement.kind()) {
            case NEW -> runner.begin(lease, request, settlement.via());
            case RESEND -> runner.send(lease, settlement.entry(), settlement.via());
            default -> Verdict.of(settlement);
          });
    } catch (KeyInFlightException e) {
      return printer.print(Verdict.inFlight(e));
    } catch (JournalException e) {
      // Also the lease's closing, after the answer was printed: what is said depends on whether
      // the request may have left.
      throw runner.journalFailed(key, e);
    }
  }

  private String key(Invocation invocation) {
    String key;
    if (keyChoice.key != null) {
      key = keyChoice.key;
    } else if (keyChoice.keyFrom != null) {
      key = IdempotencyKey.fromText(keyChoice.keyFrom);
    } else {
      return IdempotencyKey.random(invocation.random());
    }
    try {
      return IdempotencyKey.check(key);
    } catch (InvalidRequestException e) {
      throw CliException.usage("invalid key: " + e.getMessage());
    }
  }

  private int dryRun(JournaledRequest request, String key) {
    Invocation invocation = root.invocation();
    PrintWriter out = invocation.out();
    boolean hasToken = root.settings().tokenSetting(send.tokenFile()) != null;
    if (output.format() == OutputOptions.Format.JSON) {
      JsonDocument.print(
          root,
          ResultPrinter.dryRunJson(
              request,
              EdlinkClient.urlWithKey(request.url(), key),
              key,
              hasToken,
              send.proxyOf(root, request.url())),
          output.pretty(invocation.terminal().stdout()));
    } else {
      out.println(request.method() + " " + EdlinkClient.urlWithKey(request.url(), key));
      out.println(
          "Authorization: "
              + (hasToken
                  ? "Bearer [redacted]"
                  : "(no token: set EDLINK_TOKEN, --token-file or config set-token)"));
      out.println("User-Agent: edlink-idem/" + Version.number());
      request.headers().forEach((name, value) -> out.println(name + ": " + value));
      out.println();
      if (request.body().length > 0) {
        out.println(new String(request.body(), StandardCharsets.UTF_8));
      }
    }
    out.flush();
    if (!root.style().quiet()) {
      String proxy = send.proxyOf(root, request.url());
      invocation
          .err()
          .println(
              "edlink-idem: dry run: "
                  + (proxy == null ? "" : "it would go through the proxy " + proxy + "; ")
                  + "nothing was journaled or sent");
    }
    return ExitCode.OK;
  }
}
