package dev.edlinkidem.net;

import dev.edlinkidem.request.Destination;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which requests go through a proxy, and which one: the proxy for https (and the one for plain
 * http), the hosts exempt from it, and whether loopback hosts, exempt unless asked, were asked for.
 * Plain http through a proxy is refused, never sent: the bearer token would travel to the proxy
 * unencrypted. An https request goes through a CONNECT tunnel, and the proxy sees only its host and
 * port.
 */
public final class Proxying {
  /** No proxy for any request. */
  public static final Proxying DIRECT = new Proxying(null, null, null, false);

  /** A setting's value as given, and where it came from ("environment HTTPS_PROXY"). */
  public record Given(String value, String source) {}

  private final Given https;
  private final Given http;
  private final Given noProxy;
  private final boolean loopbackAsked;
  private ProxyUrl httpsProxy;
  private ProxyUrl httpProxy;
  private NoProxy exempt;

  /**
   * @param https the proxy for https requests, or null; an empty value means none
   * @param http the proxy for plain http requests, or null
   * @param noProxy the exempt hosts ({@link NoProxy}), or null
   * @param loopbackAsked whether the command line itself named the proxying ({@code --proxy} or
   *     {@code --noproxy}), so that loopback hosts are proxied too unless exempt by name
   */
  public Proxying(Given https, Given http, Given noProxy, boolean loopbackAsked) {
    this.https = https;
    this.http = http;
    this.noProxy = noProxy;
    this.loopbackAsked = loopbackAsked;
  }

  /**
   * The proxy a request to {@code url} goes through, or empty when it goes direct.
   *
   * @throws NetworkSettingException when the proxy chosen cannot be used, or {@code url} is plain
   *     http that would go through a proxy
   */
  public Optional<ProxyUrl> proxyFor(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    Given given = scheme.equals("http") ? http : https;
    if (given == null || given.value().isBlank() || exempt(url.getHost())) {
      return Optional.empty();
    }
    ProxyUrl proxy = proxy(scheme.equals("http"));
    if (scheme.equals("http")) {
      throw new NetworkSettingException(
          "refusing plain http:// to "
              + Destination.origin(url)
              + " through the proxy "
              + proxy.hostPort()
              + " ("
              + given.source()
              + "): the token would reach the proxy unencrypted; use https://, or let it go"
              + " direct (--noproxy "
              + url.getHost()
              + ")");
    }
    return Optional.of(proxy);
  }

  /** The proxy for https requests and where it came from; null when there is none. */
  public Given httpsSetting() {
    return https == null || https.value().isBlank() ? null : https;
  }

  /** The https proxy, checked; null when there is none. */
  public ProxyUrl httpsProxy() {
    return httpsSetting() == null ? null : proxy(false);
  }

  /** Where the exempt hosts came from and what they are, or null when none were given. */
  public Given noProxySetting() {
    return noProxy;
  }

  /** Whether loopback hosts go direct whatever the exemptions say. */
  public boolean loopbackDirect() {
    return !loopbackAsked;
  }

  /**
   * A selector for the JDK's HttpClient that gives what {@link #proxyFor} decides; set on every
   * client, so that no {@code -Dhttps.proxyHost} reaches a request behind the tool's back.
   */
  public ProxySelector selector() {
    return new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        return proxyFor(uri)
            .map(
                p ->
                    List.of(
                        new Proxy(
                            Proxy.Type.HTTP,
                            InetSocketAddress.createUnresolved(p.host(), p.port()))))
            .orElse(List.of(Proxy.NO_PROXY));
      }

      @Override
      public void connectFailed(URI uri, SocketAddress address, IOException e) {
        // There is one proxy or none: nothing to fall back to.
      }
    };
  }

  private synchronized boolean exempt(String host) {
    if (host == null) {
      return true;
    }
    if (!loopbackAsked && Destination.isLoopback(host)) {
      return true;
    }
    if (exempt == null) {
      exempt = NoProxy.parse(noProxy == null ? null : noProxy.value());
    }
    return exempt.exempts(host);
  }

  private synchronized ProxyUrl proxy(boolean plain) {
    if (plain) {
      if (httpProxy == null) {
        httpProxy = ProxyUrl.parse(http.value(), http.source());
      }
      return httpProxy;
    }
    if (httpsProxy == null) {
      httpsProxy = ProxyUrl.parse(https.value(), https.source());
    }
    return httpsProxy;
  }
}
