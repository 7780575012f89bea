package dev.edlinkidem.journal.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy to a PostgreSQL server that, once armed with a key, forwards the client's chunk that
 * commits the statement naming that key and then cuts both connections without passing the server's
 * answer back: a commit done whose acknowledgement was lost.
 */
final class CommitCuttingProxy implements AutoCloseable {
  private final ServerSocket listening;
  private final int target;
  private final List<String> alsoNamed;
  private final boolean commitIsNext;
  private final AtomicReference<String> marker = new AtomicReference<>();
  private final AtomicBoolean commitNext = new AtomicBoolean();
  private final AtomicBoolean didCut = new AtomicBoolean();

  /**
   * @param alsoNamed texts the statement's chunk must hold besides the key (the statement's own
   *     text, which the driver sends the first time on a connection)
   * @param commitIsNext whether the commit is the client's next chunk (a statement in a
   *     transaction, its COMMIT sent after it), else the statement's own chunk (committed on its
   *     own)
   */
  CommitCuttingProxy(int target, List<String> alsoNamed, boolean commitIsNext) throws IOException {
    this.target = target;
    this.alsoNamed = alsoNamed;
    this.commitIsNext = commitIsNext;
    this.listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listening.getLocalPort();
  }

  /** Cuts the connection after the commit of the next statement that names key {@code m}. */
  void arm(String m) {
    marker.set(m);
  }

  boolean cut() {
    return didCut.get();
  }

  private void accept() {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        AtomicBoolean swallow = new AtomicBoolean();
        pump(client, server, swallow, true);
        pump(server, client, swallow, false);
      } catch (IOException e) {
        return;
      }
    }
  }

  /** Whether {@code chunk} is the armed statement's, and disarms the proxy if so. */
  private boolean namesTheArmed(String chunk) {
    String m = marker.get();
    if (m == null || !chunk.contains(m) || !alsoNamed.stream().allMatch(chunk::contains)) {
      return false;
    }
    marker.set(null);
    return true;
  }

  private void pump(Socket from, Socket to, AtomicBoolean swallow, boolean fromClient) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[65536];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                  boolean commits = false;
                  if (fromClient) {
                    String chunk = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
                    if (commitNext.get()) {
                      commitNext.set(false);
                      commits = true;
                    } else if (namesTheArmed(chunk)) {
                      commitNext.set(commitIsNext);
                      commits = !commitIsNext;
                    }
                  }
                  if (commits) {
                    swallow.set(true);
                    out.write(buf, 0, n);
                    out.flush();
                    Thread.sleep(300); // the server reads and commits it
                    didCut.set(true);
                    from.close();
                    to.close();
                    return;
                  }
                  if (!fromClient && swallow.get()) {
                    continue;
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException | InterruptedException e) {
                // one side closed
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException ignored) {
                  // closing
                }
              }
            },
            "proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listening.close();
  }
}
