package dev.edlinkidem.cli;

import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.send.Sender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of every command that sends: the token, where it may go, and the retry policy. */
public final class SendOptions {
  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Read the bearer token from FILE (else the environment variable EDLINK_TOKEN).")
  Path tokenFile;

  @Option(names = "--allow-host", paramLabel = "HOST",
      description = "Also send to HOST (the token goes there too). Repeatable.")
  List<String> allowedHosts = new ArrayList<>();

  @Option(names = "--retries", paramLabel = "N",
      description = "Attempts after the first, for transient failures (default: the profile's retries, else 4).")
  Integer retries;

  @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "120s", converter = Durations.class,
      description = "How long one attempt waits for its response (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--max-time", paramLabel = "DUR", defaultValue = "10m", converter = Durations.class,
      description = "How long all attempts and waits may take together (default: ${DEFAULT-VALUE}).")
  Duration maxTime;

  /**
   * Whether requests under this base URL may need TLS: not when it is plain http:// (loopback
   * only) and no other host is allowed, since a full URL must then be on the base URL's origin.
   */
  boolean mayNeedTls(EdlinkIdem root) {
    return !"http".equalsIgnoreCase(root.baseUrl().getScheme()) || !allowedHosts.isEmpty();
  }

  /** The options a replay of this run needs to reach the same host with the same token. */
  java.util.List<String> replayArgs() {
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

  RetryPolicy policy(EdlinkIdem root) {
    int retries = retries(root);
    if (retries < 0) {
      throw CliException.usage("--retries must be 0 or more, not " + retries);
    }
    if (timeout.isZero() || maxTime.isZero()) {
      throw CliException.usage("--timeout and --max-time must be longer than zero");
    }
    return RetryPolicy.of(retries, timeout, maxTime);
  }

  /** --retries, else the profile's retries, else 4. */
  int retries(EdlinkIdem root) {
    if (retries != null) {
      return retries;
    }
    String fromProfile = root.fromProfile("retries");
    if (fromProfile == null) {
      return 4;
    }
    try {
      return Integer.parseInt(fromProfile.trim());
    } catch (NumberFormatException e) {
      throw CliException.usage("retries = " + fromProfile + " in profile " + root.profile() + " of "
          + root.config().path() + " is not a whole number");
    }
  }

  /** The token: --token-file, else EDLINK_TOKEN, else the profile's; never from an option value. */
  String token(EdlinkIdem root) {
    return token(tokenFile, root);
  }

  static String token(Path tokenFileFlag, EdlinkIdem root) {
    Invocation invocation = root.invocation();
    EdlinkIdem.Setting where = root.tokenSetting(tokenFileFlag);
    if (where == null) {
      throw CliException.usage("no token: set EDLINK_TOKEN, pass --token-file FILE, or run 'edlink-idem config set-token'");
    }
    Path tokenFile = where.value() == null ? null : Path.of(where.value());
    String token;
    String source;
    if (tokenFile != null) {
      source = "token file " + tokenFile;
      try {
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(tokenFile)) {
          bytes = in.readNBytes(64 * 1024 + 1);
        }
        if (bytes.length > 64 * 1024) {
          throw CliException.usage("the token file " + tokenFile + " is larger than 64 KiB; is it the right file?");
        }
        token = new String(bytes, StandardCharsets.UTF_8).strip();
      } catch (IOException | java.io.UncheckedIOException e) {
        throw CliException.usage("cannot read the token file " + tokenFile + ": " + reason(e));
      }
    } else {
      source = "EDLINK_TOKEN";
      token = invocation.env("EDLINK_TOKEN").strip();
    }
    if (token.isEmpty()) {
      throw CliException.usage("the token in " + source + " is empty");
    }
    if (!fitsAHeader(token)) {
      throw CliException.usage("the token in " + source + " holds spaces or characters a header cannot carry");
    }
    return token;
  }

  /** Visible ASCII only: anything else could not go into an Authorization header, or would split it. */
  static boolean fitsAHeader(String token) {
    return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  Sender sender(EdlinkIdem root, String token, Sender.Listener listener) {
    return sender(root, token, listener, Sender.Pace.NONE, true);
  }

  /**
   * A sender whose attempts share a pace with others (a batch's workers).
   *
   * @param tls false when every request it sends goes to a plain http:// URL
   */
  Sender sender(EdlinkIdem root, String token, Sender.Listener listener, Sender.Pace pace, boolean tls) {
    Invocation invocation = root.invocation();
    RetryPolicy policy = policy(root);
    Duration connect = policy.attemptTimeout().compareTo(Duration.ofSeconds(30)) < 0
        ? policy.attemptTimeout() : Duration.ofSeconds(30);
    EdlinkClient client = new EdlinkClient(EdlinkClient.defaultHttpClient(connect, tls), token,
        "edlink-idem/" + EdlinkIdem.Version.number());
    return new Sender(client, policy, invocation.time(), invocation.random(), listener, pace);
  }

  static String reason(Exception e) {
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "it is not UTF-8 text";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof IOException && e.getMessage() != null && e.getMessage().contains("Is a directory")) {
      return "it is a directory";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
