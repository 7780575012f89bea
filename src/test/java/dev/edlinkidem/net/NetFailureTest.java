package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class NetFailureTest {
  private static final URI EDLINK = URI.create("https://ed.link/api/v2/graph/x");
  private static final ProxyUrl PROXY = new ProxyUrl("proxy.corp", 3128, "u", "secret");

  private static SSLHandshakeException handshake(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("PKIX path building failed");
    e.initCause(cause);
    return e;
  }

  @Test
  void anUntrustedCertificateSaysWhatToDo() {
    NetFailure f =
        NetFailure.of(
            handshake(
                new CertificateException(
                    new CertPathBuilderException("unable to find valid certification path"))),
            EDLINK,
            null);
    assertTrue(f.text().startsWith("the certificate of ed.link is not trusted"), f.text());
    assertTrue(f.text().contains("is a proxy re-signing TLS?"), f.text());
    assertTrue(f.text().contains("--cacert"), f.text());
    assertFalse(f.worthRetrying());
  }

  @Test
  void aCertificateForAnotherHostOrOutOfItsDates() {
    NetFailure other =
        NetFailure.of(
            handshake(new CertificateException("No subject alternative DNS name matching ed.link")),
            EDLINK,
            null);
    assertTrue(other.text().contains("is for another host"), other.text());
    NetFailure expired =
        NetFailure.of(handshake(new CertificateExpiredException("NotAfter: ...")), EDLINK, null);
    assertTrue(expired.text().contains("out of its dates"), expired.text());
    assertFalse(other.worthRetrying() || expired.worthRetrying());
  }

  @Test
  void aProxyThatIsNotThereIsNamedAndTriedAgain() {
    NetFailure f = NetFailure.of(new ConnectException("Connection refused"), EDLINK, PROXY);
    assertTrue(f.text().startsWith("could not reach the proxy proxy.corp:3128"), f.text());
    assertTrue(f.worthRetrying());
    assertNull(
        NetFailure.of(new ConnectException("Connection refused"), EDLINK, null),
        "direct, a refused connection is Edlink's, described where it always was");
    assertFalse(f.text().contains("secret"));
  }

  @Test
  void aRefusedTunnelSaysWhetherItIsTheCredentials() {
    NetFailure noCredentials =
        NetFailure.tunnelRefused(407, new ProxyUrl("p", 1, null, null), EDLINK);
    assertTrue(noCredentials.text().contains("refused (407): check its credentials"));
    assertTrue(noCredentials.text().contains("http://USER:PASSWORD@HOST:PORT"));
    NetFailure wrong = NetFailure.of(new IOException("Tunnel failed, got: 401"), EDLINK, PROXY);
    assertTrue(wrong.text().contains("refused (401): check its credentials"), wrong.text());
    assertFalse(wrong.worthRetrying());
    NetFailure policy = NetFailure.of(new IOException("Tunnel failed, got: 403"), EDLINK, PROXY);
    assertTrue(policy.text().contains("refused a tunnel to ed.link:443 (403)"), policy.text());
    assertFalse(policy.worthRetrying());
    NetFailure upstream = NetFailure.of(new IOException("Tunnel failed, got: 502"), EDLINK, PROXY);
    assertTrue(upstream.text().contains("could not open a tunnel to ed.link:443 (502)"));
    assertTrue(upstream.worthRetrying(), "the proxy could not reach Edlink: maybe later");
  }

  @Test
  void aHandshakeCutOffIsTriedAgainAndSaysNothingOfWhatWasSent() {
    NetFailure cut =
        NetFailure.of(
            new SSLHandshakeException("Remote host terminated the handshake"), EDLINK, PROXY);
    assertTrue(cut.text().startsWith("the TLS handshake with ed.link failed"), cut.text());
    assertTrue(cut.worthRetrying(), "a tunnel reset mid-handshake may open next time");
    assertFalse(cut.text().contains("did not"), "no claim in an attempt's words: " + cut.text());
    NetFailure noTrust =
        NetFailure.of(
            new SSLHandshakeException("No X509TrustManager implementation available"),
            EDLINK,
            null);
    assertFalse(noTrust.worthRetrying(), "the same would fail again: " + noTrust.text());
  }

  @Test
  void otherFailuresAreNotTheWays() {
    assertNull(NetFailure.of(new IOException("connection reset"), EDLINK, PROXY));
  }
}
