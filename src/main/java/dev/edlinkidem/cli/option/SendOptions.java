package dev.edlinkidem.cli.option;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.CommandContext;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Version;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.config.UserClient;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.HttpClientAhead;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.edlink.TokenEndpoint;
import dev.edlinkidem.edlink.UserTokens;
import dev.edlinkidem.net.CaFile;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.request.Destination;
import dev.edlinkidem.send.Sender;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.verdict.ExitCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options of every command that sends: the token, where it may go, and the retry policy. */
public final class SendOptions {
  /** How long a refresh at Edlink's token endpoint may take. */
  private static final Duration REFRESH_TIMEOUT = Duration.ofSeconds(30);

  /** The client {@link #buildClientAhead} started; null when none was. */
  private HttpClientAhead clientAhead;

  /** The origins --verbose has said the proxy of: each once. */
  private final Set<String> toldOrigins = new HashSet<>();

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Read the bearer token from FILE (else the environment variable EDLINK_TOKEN).")
  Path tokenFile;

  @Option(
      names = "--allow-host",
      paramLabel = "HOST",
      description = "Also send to HOST (the token goes there too). Repeatable.")
  List<String> allowedHosts = new ArrayList<>();

  @Option(
      names = "--retries",
      paramLabel = "N",
      description =
          "Attempts after the first, for transient failures (default: the profile's retries, else "
              + Settings.DEFAULT_RETRIES
              + "). A 429 waited out is not counted, up to 50 for a request.")
  Integer retries;

  @Option(
      names = "--timeout",
      paramLabel = "DUR",
      defaultValue = "330s",
      converter = Durations.class,
      description =
          "How long one attempt waits for its response (default: ${DEFAULT-VALUE}: Edlink works on"
              + " a request for up to 300 s, and an attempt given up sooner would be sent again"
              + " while the first may still be running).")
  Duration timeout;

  @Option(
      names = "--max-time",
      paramLabel = "DUR",
      defaultValue = "30m",
      converter = Durations.class,
      description =
          "How long all attempts and waits may take together (default: ${DEFAULT-VALUE}).")
  Duration maxTime;

  @Option(
      names = "--max-response",
      paramLabel = "SIZE",
      defaultValue = "8M",
      converter = Sizes.class,
      description =
          "The most of an answer's body that is read and journaled (default: ${DEFAULT-VALUE}, from"
              + " 1K to 32M); a longer answer is settled by its status, and the rest is not read.")
  int maxResponse = EdlinkClient.DEFAULT_MAX_BODY;

  /** --allow-host: hosts besides the base URL's that the token may go to. */
  public List<String> allowedHosts() {
    return List.copyOf(allowedHosts);
  }

  /** --token-file, or null. */
  public Path tokenFile() {
    return tokenFile;
  }

  /**
   * Whether requests under this base URL may need TLS: not when it is plain http:// (loopback only)
   * and no other host is allowed, since a full URL must then be on the base URL's origin.
   */
  public boolean mayNeedTls(CommandContext root) {
    return Network.usesTls(root.settings().baseUrl().toString()) || !allowedHosts.isEmpty();
  }

  /**
   * Reads the CA file now, when one is set and a request may use https: one that cannot be used is
   * refused here (exit 2), before anything is journaled. A client built ahead reads it on its own
   * thread instead, and its refusal comes when the sender is made, which is also before.
   */
  public void checkCas(CommandContext root, boolean tls) {
    CaFile cas = root.settings().network().cas();
    if (tls && cas != null) {
      cas.check();
    }
  }

  /**
   * {@code url}, once it is known that the network can carry it: refused (exit 2) before anything
   * is journaled when it is plain http that would go through a proxy.
   */
  public String routed(CommandContext root, String url) {
    String proxy = proxyOf(root, url);
    if (proxy != null && root.style().verbose()) {
      String origin = Destination.origin(URI.create(url));
      synchronized (toldOrigins) {
        if (toldOrigins.add(origin)) {
          root.invocation()
              .err()
              .println("edlink-idem: to " + origin + " through the proxy " + proxy);
        }
      }
    }
    return url;
  }

  /**
   * The proxy a request to {@code url} goes through and where it was set, its password hidden
   * ("http://u:xxxxx@proxy:3128 (environment HTTPS_PROXY)"); null when it goes direct.
   */
  public String proxyOf(CommandContext root, String url) {
    Network network = root.settings().network();
    return network
        .proxyFor(URI.create(url))
        .map(p -> p.redacted() + " (" + network.proxying().httpsSetting().source() + ")")
        .orElse(null);
  }

  /** The options a replay of this run needs to reach the same host with the same token. */
  public List<String> replayArgs() {
    List<String> args = new ArrayList<>();
    if (tokenFile != null) {
      args.add("--token-file");
      args.add(tokenFile.toString());
    }
    for (String host : allowedHosts) {
      args.add("--allow-host");
      args.add(host);
    }
    return args;
  }

  public RetryPolicy policy(CommandContext root) {
    int retries = root.settings().retries(this.retries);
    if (retries < 0) {
      throw CliException.usage("--retries must be 0 or more, not " + retries);
    }
    if (timesRefused()) {
      throw CliException.usage("--timeout and --max-time must be longer than zero");
    }
    return RetryPolicy.of(retries, timeout, maxTime);
  }

  /**
   * The token: --token-file, else EDLINK_TOKEN, else the profile's; never from an option value.
   * With a user client in the profile ({@code config set-client}), a user token refused on the User
   * API is refreshed once, and one not there yet is got now, before anything is journaled or sent.
   */
  public Bearer bearer(CommandContext root) {
    Settings settings = root.settings();
    UserClient client = settings.userClient();
    if (client == null) {
      return Bearer.fixed(settings.token(tokenFile));
    }
    // The user client's token may not be there yet: then it is got by refreshing, below.
    String token =
        settings.tokenFromUserClient(tokenFile) ? client.accessToken() : settings.token(tokenFile);
    Path file = settings.userClientFileOf(settings.profile());
    boolean tls = Network.usesTls(settings.baseUrl().toString());
    Time time = root.invocation().time();
    Network network = settings.network();
    routed(root, settings.baseUrl().toString());
    TokenEndpoint endpoint =
        new TokenEndpoint(
            network.client(REFRESH_TIMEOUT, tls),
            network,
            settings.baseUrl(),
            Version.userAgent(),
            REFRESH_TIMEOUT,
            time);
    UserTokens tokens =
        new UserTokens(
            endpoint,
            client.clientId(),
            client.clientSecret(),
            client.refreshToken(),
            token,
            new ProfileTokenStore(
                client, file, settings.userClientLockOf(settings.profile()), time),
            settings::warn,
            time);
    if (token == null) {
      Bearer.Renewal first;
      try {
        first = tokens.renew(null, policy(root).maxTime());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCode.INTERRUPTED, "interrupted; nothing was sent", e);
      }
      if (first.token() == null) {
        // No answer is exit 6, as for a request; a refusal is the token's, exit 4.
        throw new CliException(
            first.unanswered() ? ExitCode.NO_RESPONSE : ExitCode.CLIENT_ERROR,
            "no user token: " + first.whyNot() + "; nothing was sent");
      }
    }
    return tokens;
  }

  /**
   * Starts building the HTTP client that {@link #sender} will use, on a thread of its own, so that
   * it is ready by the time the request is journaled. It reads only {@code --timeout} and the
   * network settings, which {@link #network} has checked. With a timeout {@link #policy} refuses it
   * does not start; the refusal comes where it always came. {@link #closeUnusedClient} must follow,
   * whether or not anything was sent.
   */
  public void buildClientAhead(CommandContext root, boolean tls) {
    if (timesRefused()) {
      return;
    }
    clientAhead = HttpClientAhead.start(root.settings().network(), connectTimeout(timeout), tls);
  }

  /** Whether --timeout or --max-time is one {@link #policy} refuses. */
  private boolean timesRefused() {
    return timeout.isZero() || maxTime.isZero();
  }

  /** Closes the client {@link #buildClientAhead} started if {@link #sender} never took it. */
  public void closeUnusedClient() {
    if (clientAhead != null) {
      clientAhead.closeIfUnused();
    }
  }

  /**
   * @param tls false when every request it sends goes to a plain http:// URL
   */
  public Sender sender(CommandContext root, Bearer token, Sender.Listener listener, boolean tls) {
    Invocation invocation = root.invocation();
    RetryPolicy policy = policy(root);
    Duration connect = connectTimeout(policy.attemptTimeout());
    Network network = root.settings().network();
    HttpClient http =
        clientAhead != null && clientAhead.isFor(network, connect, tls)
            ? clientAhead.get()
            : network.client(connect, tls);
    EdlinkClient client = new EdlinkClient(http, network, token, Version.userAgent(), maxResponse);
    return new Sender(client, policy, invocation.time(), invocation.random(), listener);
  }

  /** How long a connection may take to open: the attempt's time, at most 30 s. */
  private static Duration connectTimeout(Duration attemptTimeout) {
    return attemptTimeout.compareTo(Duration.ofSeconds(30)) < 0
        ? attemptTimeout
        : Duration.ofSeconds(30);
  }
}
