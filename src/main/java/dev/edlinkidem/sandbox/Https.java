package dev.edlinkidem.sandbox;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The HTTPS listener of {@code sandbox --tls}. A class of its own so that a plain-HTTP sandbox
 * never loads the JDK's TLS classes: they would slow its start for nothing.
 */
final class Https {
  private Https() {}

  /** An HTTPS server bound to {@code address}, presenting {@code certificate}; not started. */
  static HttpServer server(
      InetSocketAddress address, int backlog, SelfSignedCertificate certificate)
      throws IOException {
    HttpsServer server = HttpsServer.create(address, backlog);
    server.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
    return server;
  }
}
