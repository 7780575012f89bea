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

  /**
   * @param length the body's length (at least 40 bytes), or {@link #ENDLESS}
   */
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
            byte[] start =
                (status < 300
                        ? "{\"$data\":{\"id\":\"a1\"},\"pad\":\""
                        : "{\"$errors\":[{\"code\":\"BAD_REQUEST\"}],\"pad\":\"")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] end = "\"}".getBytes(StandardCharsets.US_ASCII);
            byte[] chunk = new byte[1 << 16];
            Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = ex.getResponseBody()) {
              out.write(start);
              if (length == ENDLESS) {
                while (true) {
                  out.write(chunk);
                }
              }
              // Padding, then the end: a whole JSON object of exactly this length.
              for (long left = length - start.length - end.length; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
              }
              out.write(end);
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
