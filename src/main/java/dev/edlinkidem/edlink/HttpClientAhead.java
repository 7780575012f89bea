package dev.edlinkidem.edlink;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * {@link EdlinkClient#defaultHttpClient} built on a thread of its own while the command goes on
 * reading its input and the journal: the JDK's set-up of a client is about a tenth of a cold post,
 * and on a second processor it costs the command nothing. Nothing is sent by building a client.
 */
public final class HttpClientAhead {
  private final FutureTask<HttpClient> building;
  private final Duration connectTimeout;
  private final boolean tls;

  private HttpClientAhead(Duration connectTimeout, boolean tls) {
    this.connectTimeout = connectTimeout;
    this.tls = tls;
    this.building = new FutureTask<>(() -> EdlinkClient.defaultHttpClient(connectTimeout, tls));
  }

  /** Starts building the client {@code defaultHttpClient(connectTimeout, tls)} gives. */
  public static HttpClientAhead start(Duration connectTimeout, boolean tls) {
    HttpClientAhead ahead = new HttpClientAhead(connectTimeout, tls);
    Thread thread = new Thread(ahead.building, "edlink-idem-client");
    thread.setDaemon(true);
    thread.start();
    return ahead;
  }

  /** Whether this is the client {@code defaultHttpClient(connectTimeout, tls)} would give. */
  public boolean isFor(Duration connectTimeout, boolean tls) {
    return this.connectTimeout.equals(connectTimeout) && this.tls == tls;
  }

  /**
   * The client, once built; what building it threw is thrown here. An interruption while waiting
   * (a few milliseconds at most) is kept for the next blocking step, where the command handles it.
   */
  public HttpClient get() {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return building.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          if (e.getCause() instanceof Error error) {
            throw error;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
