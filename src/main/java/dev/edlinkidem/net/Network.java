package dev.edlinkidem.net;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The way to Edlink: which requests go through a proxy, and the CAs trusted besides the JDK's. It
 * builds every HTTP client the tool sends with and starts every request, so that a proxy's
 * credentials go only on the CONNECT that opens a tunnel, and no JVM-wide proxy setting ({@code
 * -Dhttps.proxyHost}) takes a request elsewhere.
 */
public final class Network {
  /**
   * The JDK drops a {@code Proxy-Authorization: Basic} header from a CONNECT unless this property
   * is empty, and reads it once, when its HTTP client classes load: {@code Main} sets it before
   * anything else, and this class does too, for a caller that is not {@code Main}. It changes
   * nothing for a client without a proxy, and no other header carries credentials to a proxy.
   */
  public static final String TUNNELING_DISABLED_SCHEMES = "jdk.http.auth.tunneling.disabledSchemes";

  static {
    allowBasicOnTunnels();
  }

  /** Straight to every host, trusting the JDK's CAs. */
  public static final Network DIRECT = new Network(Proxying.DIRECT, null);

  private final Proxying proxying;
  private final CaFile cas;
  private SSLContext tls;

  /**
   * @param cas the CAs to trust besides the JDK's, or null; read when a client for https is built
   */
  public Network(Proxying proxying, CaFile cas) {
    this.proxying = proxying;
    this.cas = cas;
  }

  /**
   * Whether a request to {@code url} may need TLS: anything but plain http://, which goes to
   * loopback hosts only. A client that sends only to plain http:// is built without it.
   */
  public static boolean usesTls(String url) {
    return !url.regionMatches(true, 0, "http://", 0, 7);
  }

  /** Lets a CONNECT carry {@code Proxy-Authorization: Basic}, unless the user chose otherwise. */
  public static void allowBasicOnTunnels() {
    if (System.getProperty(TUNNELING_DISABLED_SCHEMES) == null) {
      System.setProperty(TUNNELING_DISABLED_SCHEMES, "");
    }
  }

  public Proxying proxying() {
    return proxying;
  }

  /** The CAs trusted besides the JDK's, or null. */
  public CaFile cas() {
    return cas;
  }

  /**
   * The proxy a request to {@code url} goes through, or empty when it goes direct.
   *
   * @throws NetworkSettingException when the proxy cannot be used, or would carry plain http
   */
  public Optional<ProxyUrl> proxyFor(URI url) {
    return proxying.proxyFor(url);
  }

  /**
   * An HTTP client that never follows redirects (a POST must not wander), verifies TLS with the
   * JDK's CAs and these, and goes through the proxy {@link #proxyFor} chooses. With {@code tls}
   * false, for requests that all go to plain http:// (the sandbox on a loopback port), one that
   * trusts no certificate and builds no TLS unless a handshake is tried.
   *
   * @throws NetworkSettingException when {@code tls} and the CA file cannot be used
   */
  public HttpClient client(Duration connectTimeout, boolean tls) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(connectTimeout)
            .proxy(proxying == Proxying.DIRECT ? HttpClient.Builder.NO_PROXY : proxying.selector());
    if (!tls) {
      builder.sslContext(new TrustingNothing());
    } else if (cas != null) {
      builder.sslContext(tlsWithCas());
    }
    return builder.build();
  }

  /**
   * A request to {@code url}, with the proxy's credentials when it goes through a proxy that has
   * them: the JDK sends them on the CONNECT alone, never into the tunnel.
   */
  public HttpRequest.Builder request(URI url) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(url);
    proxyFor(url)
        .map(ProxyUrl::basicCredentials)
        .ifPresent(credentials -> builder.header("Proxy-Authorization", credentials));
    return builder;
  }

  /**
   * Why a request to {@code url} failed on the way, in words that say what to do; null when {@code
   * cause} is not a failure of the way (the proxy, TLS).
   */
  public NetFailure failure(Throwable cause, URI url) {
    return NetFailure.of(cause, url, proxyFor(url).orElse(null));
  }

  private synchronized SSLContext tlsWithCas() {
    if (tls == null) {
      tls = cas.context();
    }
    return tls;
  }
}
