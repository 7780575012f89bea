package dev.edlinkidem.torture;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Edlink-like server whose every answer is one status and a JSON body of a chosen length, or an
 * endless one (chunked, until the client stops reading): what a broken proxy or a runaway endpoint
 * may send. The work is counted before the answer starts.
 */
public final class AnswerServer implements AutoCloseable {
  /** Streams forever (in practice: until the client hangs up). */
  public static final long ENDLESS = -1;

  private final HttpServer server;
  private final AtomicInteger posts = new AtomicInteger();

  public AnswerServer(int status, long length) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            ex.getRequestBody().readAllBytes();
            posts.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, length == ENDLESS ? 0 : length);
            byte[] chunk = new byte[1 << 16];
            Arrays.fill(chunk, (byte) ' ');
            byte[] start =
                (status < 300
                        ? "{\"$data\":{\"id\":\"a1\"},\"pad\":\""
                        : "{\"$errors\":[{\"code\":\"CONFLICT\"}],\"pad\":\"")
                    .getBytes(StandardCharsets.US_ASCII);
            try (OutputStream out = ex.getResponseBody()) {
              out.write(
                  start, 0, (int) Math.min(start.length, length == ENDLESS ? 1 << 20 : length));
              for (long sent = start.length;
                  length == ENDLESS || sent < length;
                  sent += chunk.length) {
                out.write(
                    chunk,
                    0,
                    (int)
                        (length == ENDLESS ? chunk.length : Math.min(chunk.length, length - sent)));
              }
            }
          } catch (IOException e) {
            // the client stopped reading at its cap
          }
        });
    server.start();
  }

  /** {@code http://127.0.0.1:PORT} */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests whose body was read: the work an Edlink would have done. */
  public int posts() {
    return posts.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
