package dev.edlinkidem.cli;

import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.send.Sender;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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

  @Option(names = "--retries", paramLabel = "N", defaultValue = "4",
      description = "Attempts after the first, for transient failures (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--timeout", paramLabel = "DUR", defaultValue = "120s", converter = Durations.class,
      description = "How long one attempt waits for its response (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--max-time", paramLabel = "DUR", defaultValue = "10m", converter = Durations.class,
      description = "How long all attempts and waits may take together (default: ${DEFAULT-VALUE}).")
  Duration maxTime;

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

  RetryPolicy policy() {
    if (retries < 0) {
      throw CliException.usage("--retries must be 0 or more, not " + retries);
    }
    if (timeout.isZero() || maxTime.isZero()) {
      throw CliException.usage("--timeout and --max-time must be longer than zero");
    }
    return RetryPolicy.of(retries, timeout, maxTime);
  }

  /** The token, from --token-file or EDLINK_TOKEN; never from an option value. */
  String token(Invocation invocation) {
    return token(tokenFile, invocation);
  }

  static String token(Path tokenFile, Invocation invocation) {
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
      token = invocation.env("EDLINK_TOKEN");
      if (token == null) {
        throw CliException.usage("no token: set EDLINK_TOKEN or pass --token-file FILE");
      }
      token = token.strip();
    }
    if (token.isEmpty()) {
      throw CliException.usage("the token in " + source + " is empty");
    }
    if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw CliException.usage("the token in " + source + " holds spaces or characters a header cannot carry");
    }
    return token;
  }

  Sender sender(Invocation invocation, String token, Sender.Listener listener) {
    RetryPolicy policy = policy();
    Duration connect = policy.attemptTimeout().compareTo(Duration.ofSeconds(30)) < 0
        ? policy.attemptTimeout() : Duration.ofSeconds(30);
    EdlinkClient client = new EdlinkClient(EdlinkClient.defaultHttpClient(connect), token,
        "edlink-idem/" + EdlinkIdem.Version.number());
    return new Sender(client, policy, Clock.systemUTC(), invocation.random(), d -> Thread.sleep(d.toMillis()), listener);
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
