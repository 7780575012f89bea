package dev.edlinkidem.system;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * An {@code edlink-idem sandbox} started as a process: where it listens, and its log kept flowing.
 */
public final class SandboxProcess {
  private SandboxProcess() {}

  /**
   * Reads the sandbox's first line ({@code listening on http://127.0.0.1:PORT}), then hands each
   * later log line to {@code log} on a daemon thread, so that the sandbox never blocks on a full
   * pipe. Returns the base URL.
   *
   * @throws IllegalStateException when the first line is not where it listens
   */
  public static String baseUrl(Process sandbox, Consumer<String> log) throws IOException {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(sandbox.getInputStream(), StandardCharsets.UTF_8));
    String first = lines.readLine();
    if (first == null || !first.startsWith("listening on http://127.0.0.1:")) {
      throw new IllegalStateException("the sandbox did not start; its first line: " + first);
    }
    Thread drain =
        new Thread(
            () -> {
              try {
                for (String line; (line = lines.readLine()) != null; ) {
                  log.accept(line);
                }
              } catch (IOException ignored) {
                // the sandbox was stopped
              }
            },
            "sandbox-log");
    drain.setDaemon(true);
    drain.start();
    return first.substring("listening on ".length()).trim();
  }

  /** The sandbox's counters, from {@code GET /__sandbox/stats}. */
  public static JsonObject stats(String baseUrl) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/__sandbox/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }
}
