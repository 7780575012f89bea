package dev.edlinkidem.net;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * Why a request got no answer, in words that say what to do, when the reason is the way to the
 * server (the proxy, or TLS) rather than the server. Each failure here happened before this
 * attempt's request left the machine; whether an earlier attempt reached Edlink is not its to say.
 *
 * @param text one line for the user
 * @param worthRetrying false when asking again cannot help (an untrusted certificate, a proxy that
 *     refuses the credentials)
 */
public record NetFailure(String text, boolean worthRetrying) {
  /** How the JDK reports a CONNECT the proxy refused. */
  private static final Pattern TUNNEL_FAILED = Pattern.compile("Tunnel failed, got: (\\d{3})");

  /**
   * The failure {@code cause} was, sending to {@code target} through {@code proxy} (null: direct),
   * or null when it is none of these.
   */
  public static NetFailure of(Throwable cause, URI target, ProxyUrl proxy) {
    String host = target.getHost();
    if (cause instanceof SSLHandshakeException) {
      return tls(cause, host);
    }
    if (proxy != null && cause instanceof ConnectException) {
      return new NetFailure(
          "could not reach the proxy "
              + proxy.hostPort()
              + (cause.getMessage() != null ? " (" + cause.getMessage() + ")" : ""),
          true);
    }
    if (proxy != null && cause != null && cause.getMessage() != null) {
      Matcher refused = TUNNEL_FAILED.matcher(cause.getMessage());
      if (refused.find()) {
        return tunnelRefused(Integer.parseInt(refused.group(1)), proxy, target);
      }
    }
    return null;
  }

  /**
   * The proxy's answer {@code status} to the CONNECT for {@code target}: the tunnel was not opened,
   * and nothing was sent through it.
   */
  public static NetFailure tunnelRefused(int status, ProxyUrl proxy, URI target) {
    String where = target.getHost() + ":" + port(target);
    if (status == 407 || status == 401) {
      return new NetFailure(
          "the proxy "
              + proxy.hostPort()
              + " refused ("
              + status
              + "): check its credentials"
              + (proxy.user() == null
                  ? " (put them in the proxy URL: http://USER:PASSWORD@HOST:PORT)"
                  : " (the user and password in the proxy URL)"),
          false);
    }
    return new NetFailure(
        "the proxy "
            + proxy.hostPort()
            + (status >= 500 ? " could not open a tunnel to " : " refused a tunnel to ")
            + where
            + " ("
            + status
            + ")",
        status >= 500);
  }

  private static NetFailure tls(Throwable cause, String host) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException) {
        return new NetFailure(
            "the certificate of "
                + host
                + " is not trusted: is a proxy re-signing TLS? If so, give its CA with --cacert"
                + " FILE",
            false);
      }
      if (t instanceof CertificateExpiredException
          || t instanceof CertificateNotYetValidException) {
        return new NetFailure(
            "the certificate of " + host + " is out of its dates (" + t.getMessage() + ")", false);
      }
      String message = t.getMessage();
      if (message != null
          && (message.startsWith("No subject alternative")
              || message.startsWith("No name matching"))) {
        return new NetFailure(
            "the certificate of " + host + " is for another host (" + message + ")", false);
      }
    }
    // Cut off, not refused: a proxy's tunnel closed or reset mid-handshake may open next time.
    // Anything else (no trust at all, no protocol in common) would fail the same way again.
    return new NetFailure(
        "the TLS handshake with " + host + " failed (" + cause.getMessage() + ")", cutOff(cause));
  }

  /** Whether the other end closed or reset the connection during the handshake. */
  private static boolean cutOff(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      if (t instanceof EOFException
          || t instanceof SocketException
          || message.contains("terminated the handshake")
          || message.contains("Connection reset")) {
        return true;
      }
    }
    return false;
  }

  private static int port(URI target) {
    return target.getPort() != -1
        ? target.getPort()
        : "http".equalsIgnoreCase(target.getScheme()) ? 80 : 443;
  }
}
