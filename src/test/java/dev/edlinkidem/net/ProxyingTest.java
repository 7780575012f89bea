package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyingTest {
  private static final Proxying.Given PROXY =
      new Proxying.Given("http://u:pw@proxy.corp:3128", "environment HTTPS_PROXY");

  @Test
  void httpsGoesThroughTheProxyUnlessExempt() {
    Proxying p =
        new Proxying(PROXY, null, new Proxying.Given(".internal", "environment NO_PROXY"), false);
    assertEquals(
        Optional.of("proxy.corp"), p.proxyFor(URI.create("https://ed.link/x")).map(ProxyUrl::host));
    assertEquals(Optional.empty(), p.proxyFor(URI.create("https://api.internal/x")));
  }

  @Test
  void loopbackGoesDirectUnlessTheCommandLineAsked() {
    Proxying implicit = new Proxying(PROXY, PROXY, null, false);
    assertEquals(Optional.empty(), implicit.proxyFor(URI.create("https://127.0.0.1:8791/")));
    assertEquals(Optional.empty(), implicit.proxyFor(URI.create("http://localhost:8790/")));
    assertTrue(implicit.loopbackDirect());
    Proxying asked = new Proxying(PROXY, null, null, true);
    assertTrue(asked.proxyFor(URI.create("https://127.0.0.1:8791/")).isPresent());
    Proxying askedButExempt =
        new Proxying(PROXY, null, new Proxying.Given("127.0.0.1", "flag --noproxy"), true);
    assertEquals(Optional.empty(), askedButExempt.proxyFor(URI.create("https://127.0.0.1:1/")));
  }

  @Test
  void plainHttpThroughAProxyIsRefusedAndTheSelectorNeverCarriesIt() {
    Proxying asked = new Proxying(PROXY, PROXY, null, true);
    NetworkSettingException e =
        assertThrows(
            NetworkSettingException.class,
            () -> asked.proxyFor(URI.create("http://127.0.0.1:8790/api")));
    assertTrue(e.getMessage().contains("unencrypted"), e.getMessage());
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
    assertThrows(
        NetworkSettingException.class,
        () -> asked.selector().select(URI.create("http://127.0.0.1:8790/api")));
  }

  @Test
  void anEmptyProxyMeansNone() {
    Proxying none = new Proxying(new Proxying.Given("", "flag --proxy"), null, null, true);
    assertEquals(Optional.empty(), none.proxyFor(URI.create("https://ed.link/")));
    assertEquals(List.of(Proxy.NO_PROXY), none.selector().select(URI.create("https://ed.link/")));
  }

  @Test
  void theSelectorGivesTheProxyUnresolved() {
    Proxying p = new Proxying(PROXY, null, null, false);
    Proxy proxy = p.selector().select(URI.create("https://ed.link/")).get(0);
    assertEquals(Proxy.Type.HTTP, proxy.type());
    InetSocketAddress address = (InetSocketAddress) proxy.address();
    assertEquals("proxy.corp", address.getHostString());
    assertEquals(3128, address.getPort());
  }

  @Test
  void aBadProxyIsRefusedOnlyWhenARequestWouldUseIt() {
    Proxying p =
        new Proxying(
            new Proxying.Given("socks5://x", "environment HTTPS_PROXY"), null, null, false);
    assertEquals(Optional.empty(), p.proxyFor(URI.create("https://127.0.0.1:1/")));
    assertThrows(NetworkSettingException.class, () -> p.proxyFor(URI.create("https://ed.link/")));
  }
}
