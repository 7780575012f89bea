package dev.edlinkidem.system;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy for tests that records every byte its clients send it, to prove what a client lets
 * a proxy see: that a bearer token only ever passes inside a TLS tunnel, and that {@code
 * Proxy-Authorization} is sent only on a {@code CONNECT}.
 *
 * <p>It tunnels a {@code CONNECT} to a loopback address ({@code HTTP/1.1 200 Connection
 * established}, then bytes both ways) and refuses one elsewhere with 502, so that no test leaves
 * the machine. It forwards no plain-http request: it reads it (headers, and a body of {@code
 * Content-Length} bytes), records it, and answers 502, so a test sees both that the request was
 * made and that nothing went further. Asked for credentials, it answers {@code 407} with {@code
 * Proxy-Authenticate: Basic realm="test"} to a request without them or with wrong ones (tinyproxy
 * answers 401 to wrong ones); every answer but a tunnel's 200 closes the connection.
 *
 * <p>Bytes are recorded before they are forwarded or answered, so once a client has its answer,
 * what it sent for it is in {@link #received()}. Each connection has a thread of its own; all are
 * daemons, and {@link #close()} closes every socket.
 */
public final class RecordingProxy implements LoopbackProxy {
  /** A longer request head is refused: no test needs one, and a runaway client must end. */
  private static final int MAX_HEAD = 64 * 1024;

  /** A longer plain-http body is not read, nor recorded, past this. */
  private static final int MAX_BODY = 1024 * 1024;

  private static final int CONNECT_TIMEOUT_MILLIS = 5000;
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

  private final ServerSocket server;

  /** The {@code Proxy-Authorization} credentials it asks for, or null when it asks none. */
  private final String credentials;

  /** What each connection's client sent, in the order the connections came. */
  private final List<ByteArrayOutputStream> recordings = new ArrayList<>();

  private final List<String> connectHeaders = new ArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> running = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connects = new AtomicInteger();
  private final AtomicInteger tunnels = new AtomicInteger();
  private final AtomicInteger plainRequests = new AtomicInteger();
  private final AtomicInteger threads = new AtomicInteger();
  private volatile boolean closed;

  private RecordingProxy(ServerSocket server, String credentials) {
    this.server = server;
    this.credentials = credentials;
  }

  /** Starts one that asks for no credentials. */
  public static RecordingProxy start() throws IOException {
    return start(null);
  }

  /** Starts one that asks for Basic credentials {@code user} and {@code password}. */
  public static RecordingProxy requiringBasic(String user, String password) throws IOException {
    return start(
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }

  private static RecordingProxy start(String credentials) throws IOException {
    RecordingProxy proxy =
        new RecordingProxy(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), credentials);
    proxy.daemon("recording-proxy-accept", proxy::accept).start();
    return proxy;
  }

  /** Whether its listening socket is closed: its port is free for the system to give again. */
  public boolean portClosed() {
    return server.isClosed();
  }

  /** Connections it accepted. */
  public int accepted() {
    return threads.get();
  }

  @Override
  public int port() {
    return server.getLocalPort();
  }

  /** Every byte its clients sent it so far, as ISO-8859-1, one connection after another. */
  public String received() {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    synchronized (recordings) {
      for (ByteArrayOutputStream r : recordings) {
        all.writeBytes(r.toByteArray());
      }
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * The head of each {@code CONNECT} request, answered or refused: its request line and headers as
   * sent, up to and including the blank line.
   */
  public List<String> connectHeaders() {
    synchronized (connectHeaders) {
      return List.copyOf(connectHeaders);
    }
  }

  /** How many {@code CONNECT} requests it had, refused ones included. */
  public int connects() {
    return connects.get();
  }

  /** How many tunnels it opened: {@code CONNECT}s answered 200. */
  public int tunnels() {
    return tunnels.get();
  }

  /** How many requests other than {@code CONNECT} it had (all of them refused). */
  public int plainRequests() {
    return plainRequests.get();
  }

  /**
   * Stops listening, closes every connection and waits (up to 5 seconds) for its threads to end: a
   * socket closed while a thread waits on it is only released when that thread returns, so without
   * the wait the port could still take a connection. What it recorded stays readable.
   */
  @Override
  public void close() {
    closed = true;
    quietlyClose(server);
    open.forEach(RecordingProxy::quietlyClose);
    long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
    try {
      for (Thread t : running) {
        t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(client);
      if (closed) {
        quietlyClose(client);
        return;
      }
      daemon("recording-proxy-" + threads.incrementAndGet(), () -> serve(client)).start();
    }
  }

  private void serve(Socket client) {
    ByteArrayOutputStream recording = new ByteArrayOutputStream();
    synchronized (recordings) {
      recordings.add(recording);
    }
    try (client) {
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      String head = readHead(in, recording);
      if (head == null) {
        answer(out, "431 Request Header Fields Too Large", "");
        return;
      }
      if (head.isEmpty()) {
        return; // the client left before a whole request
      }
      String[] requestLine = head.substring(0, head.indexOf('\n')).strip().split(" ");
      if (requestLine.length != 3) {
        answer(out, "400 Bad Request", "");
        return;
      }
      boolean connect = requestLine[0].equals("CONNECT");
      if (connect) {
        connects.incrementAndGet();
        synchronized (connectHeaders) {
          connectHeaders.add(head);
        }
      } else {
        plainRequests.incrementAndGet();
        // Read before answering: closing with unread bytes would reset the connection.
        readBody(in, head, recording);
      }
      if (!authorized(head)) {
        out.write(
            ("HTTP/1.1 407 Proxy Authentication Required\r\n"
                    + "Proxy-Authenticate: Basic realm=\"test\"\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } else if (!connect) {
        answer(out, "502 Bad Gateway", "this test proxy forwards no plain http\n");
      } else {
        tunnel(client, in, out, requestLine[1], recording);
      }
    } catch (IOException e) {
      // The client, the target or close() ended the connection.
    } finally {
      open.remove(client);
    }
  }

  /**
   * The request's head, read and recorded up to and including its blank line; empty when the client
   * left first, null when it is longer than {@link #MAX_HEAD}.
   */
  private static String readHead(InputStream in, ByteArrayOutputStream recording)
      throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last = -1;
    int beforeLast = -1;
    for (int b; (b = in.read()) != -1; ) {
      recording.write(b);
      head.write(b);
      // A blank line ends the head: CRLF CRLF, or LF LF from a lax client.
      if (b == '\n' && (last == '\n' || (last == '\r' && beforeLast == '\n'))) {
        return head.toString(StandardCharsets.ISO_8859_1);
      }
      if (head.size() > MAX_HEAD) {
        return null;
      }
      beforeLast = last;
      last = b;
    }
    return "";
  }

  private static void readBody(InputStream in, String head, ByteArrayOutputStream recording)
      throws IOException {
    String length = header(head, "content-length");
    if (length == null) {
      return;
    }
    long remaining;
    try {
      remaining = Math.min(Long.parseLong(length.strip()), MAX_BODY);
    } catch (NumberFormatException e) {
      return;
    }
    byte[] buffer = new byte[8192];
    while (remaining > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      if (n == -1) {
        return;
      }
      recording.write(buffer, 0, n);
      remaining -= n;
    }
  }

  private boolean authorized(String head) {
    if (credentials == null) {
      return true;
    }
    String given = header(head, "proxy-authorization");
    if (given == null) {
      return false;
    }
    String[] schemeAndValue = given.strip().split(" +", 2);
    return schemeAndValue.length == 2
        && schemeAndValue[0].equalsIgnoreCase("Basic")
        && schemeAndValue[1].equals(credentials);
  }

  /** The first value of the header {@code name} (lower case) in {@code head}, or null. */
  private static String header(String head, String name) {
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  private void tunnel(
      Socket client, InputStream in, OutputStream out, String authority, ByteArrayOutputStream rec)
      throws IOException {
    int colon = authority.lastIndexOf(':');
    InetAddress host;
    int port;
    try {
      host = InetAddress.getByName(authority.substring(0, colon).replace("[", "").replace("]", ""));
      port = Integer.parseInt(authority.substring(colon + 1));
    } catch (IOException | RuntimeException e) {
      answer(out, "502 Bad Gateway", "no such target: " + authority + "\n");
      return;
    }
    if (!host.isLoopbackAddress()) {
      answer(out, "502 Bad Gateway", "this test proxy tunnels only to loopback\n");
      return;
    }
    Socket target = new Socket();
    open.add(target);
    try (target) {
      try {
        target.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      } catch (IOException e) {
        answer(out, "502 Bad Gateway", "could not reach " + authority + ": " + e + "\n");
        return;
      }
      out.write(
          "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      tunnels.incrementAndGet();
      Thread back =
          daemon(
              "recording-proxy-" + threads.incrementAndGet() + "-back",
              () -> relay(target, client, null));
      back.start();
      relay(in, client, target, rec);
      try {
        back.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } finally {
      open.remove(target);
    }
  }

  /** Copies what {@code from} sends to {@code to}, until {@code from} closes its side. */
  private static void relay(Socket from, Socket to, ByteArrayOutputStream recording) {
    try {
      relay(from.getInputStream(), from, to, recording);
    } catch (IOException e) {
      quietlyClose(from);
      quietlyClose(to);
    }
  }

  /**
   * Copies {@code in} (from {@code from}) to {@code to}, recording each chunk first when {@code
   * recording} is not null, then passes the end on; an error closes both sockets, which ends the
   * other direction too.
   */
  private static void relay(
      InputStream in, Socket from, Socket to, ByteArrayOutputStream recording) {
    byte[] buffer = new byte[16 * 1024];
    try {
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) != -1; ) {
        if (recording != null) {
          recording.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      quietlyClose(from);
      quietlyClose(to);
    }
  }

  private static void answer(OutputStream out, String status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(
        ("HTTP/1.1 "
                + status
                + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + bytes.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.flush();
  }

  /** A daemon thread that {@link #close()} waits for. */
  private Thread daemon(String name, Runnable body) {
    Thread[] self = new Thread[1];
    self[0] =
        new Thread(
            () -> {
              try {
                body.run();
              } finally {
                running.remove(self[0]);
              }
            },
            name + "@" + server.getLocalPort());
    self[0].setDaemon(true);
    running.add(self[0]);
    return self[0];
  }

  private static void quietlyClose(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing is all that was asked
    }
  }
}
