package dev.edlinkidem.edlink;

import dev.edlinkidem.net.Network;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * {@link Network#client} built on a thread of its own while the command goes on reading its input
 * and the journal: the JDK's set-up of a client is about a tenth of a cold post, and on a second
 * processor it costs the command nothing. Nothing is sent by building a client. A command that ends
 * without sending calls {@link #closeIfUnused}, so that no client it never used keeps a selector
 * thread in a long-lived process (the shell) or is still being built at exit.
 */
public final class HttpClientAhead {
  private final FutureTask<HttpClient> building;
  private final Thread builder;
  private final Network network;
  private final Duration connectTimeout;
  private final boolean tls;
  private volatile boolean taken;

  private HttpClientAhead(Network network, Duration connectTimeout, boolean tls) {
    this.network = network;
    this.connectTimeout = connectTimeout;
    this.tls = tls;
    this.building = new FutureTask<>(() -> network.client(connectTimeout, tls));
    this.builder = new Thread(building, "edlink-idem-client");
    builder.setDaemon(true);
  }

  /** Starts building the client {@code network.client(connectTimeout, tls)} gives. */
  public static HttpClientAhead start(Network network, Duration connectTimeout, boolean tls) {
    HttpClientAhead ahead = new HttpClientAhead(network, connectTimeout, tls);
    ahead.builder.start();
    return ahead;
  }

  /** Whether this is the client {@code network.client(connectTimeout, tls)} would give. */
  public boolean isFor(Network network, Duration connectTimeout, boolean tls) {
    return this.network == network && this.connectTimeout.equals(connectTimeout) && this.tls == tls;
  }

  /**
   * The client, once built; what building it threw is thrown here. An interruption while waiting (a
   * few milliseconds at most) is kept for the next blocking step, where the command handles it.
   */
  public HttpClient get() {
    taken = true;
    try {
      return built();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      // The cause's trace is the builder thread's: the waiter's says which command it was.
      cause.addSuppressed(new Exception("waited for by " + Thread.currentThread().getName()));
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    }
  }

  /**
   * Waits for the build and its thread to end and, when nobody took the client, closes it (JDK 21
   * and later; on an older runtime it is left to the garbage collector). What building threw is not
   * thrown here: nobody needed the client.
   */
  public void closeIfUnused() {
    if (taken) {
      return;
    }
    HttpClient client;
    try {
      client = built();
    } catch (ExecutionException nobodyNeededIt) {
      client = null;
    }
    boolean interrupted = false;
    while (builder.isAlive()) {
      try {
        builder.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        // An unused client that fails to close holds nothing of the command's.
      }
    }
  }

  /** The client once built, for tests: whether an unused one was closed. */
  HttpClient peek() throws ExecutionException {
    return built();
  }

  /** Whether the thread that builds the client is still there, for tests. */
  boolean builderAlive() {
    return builder.isAlive();
  }

  /** The build's result, waited for without giving up on an interruption, which is kept. */
  private HttpClient built() throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return building.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
