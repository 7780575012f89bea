package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import dev.edlinkidem.sandbox.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A certificate trusted (--cacert) but for another host: the handshake is refused with a message
 * that says so, and nothing is sent. The sandbox listens on 127.0.0.2 with a certificate for
 * 127.0.0.1, localhost and ::1.
 */
class TlsHostTest extends SandboxCase {
  @Test
  void aCertificateForAnotherHostIsRefused() throws Exception {
    assumeTrue(canListenOn("127.0.0.2"), "127.0.0.2 cannot be listened on here");
    SelfSignedCertificate certificate =
        SelfSignedCertificate.generate(Instant.now(), "127.0.0.1", new SecureRandom());
    Path pem = Files.writeString(tmp.resolve("sandbox.pem"), certificate.pem());
    SandboxServer other =
        SandboxServer.start(https("127.0.0.2", certificate), line -> log.add(line));
    try {
      Cli.Result r =
          cli()
              .env("EDLINK_BASE_URL", other.baseUrl().toString())
              .run("--cacert", pem.toString(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "host-1");
      assertEquals(6, r.code(), r.toString());
      assertTrue(r.err().contains("the certificate of 127.0.0.2 is for another host"), r.err());
      assertTrue(r.err().contains("nothing reached Edlink"), r.err());
      assertTrue(log.isEmpty(), "nothing reached the sandbox: " + log);

      // The same certificate, asked for by a name it has: trusted, and the post goes through.
      SandboxServer right =
          SandboxServer.start(https("127.0.0.1", certificate), line -> log.add(line));
      try {
        Cli.Result ok =
            cli()
                .env("EDLINK_BASE_URL", right.baseUrl().toString())
                .run("--cacert", pem.toString(), "post", ASSIGNMENTS, "-d", ESSAY, "-k", "host-2");
        assertEquals(0, ok.code(), ok.toString());
      } finally {
        right.close();
      }
    } finally {
      other.close();
    }
  }

  /** A sandbox serving HTTPS on {@code host} with {@code certificate}, whatever it names. */
  private static SandboxServer.Options https(String host, SelfSignedCertificate certificate) {
    return new SandboxServer.Options(
        host,
        0,
        null,
        Faults.NONE,
        1,
        SandboxServer.Options.DEFAULT_USER_TOKEN_TTL,
        SandboxServer.Options.DEFAULT_CLIENT_ID,
        SandboxServer.Options.DEFAULT_CLIENT_SECRET,
        certificate);
  }

  private static boolean canListenOn(String address) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
