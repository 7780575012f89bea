package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProxyUrlTest {
  @Test
  void readsAsCurlDoes() {
    assertEquals(
        new ProxyUrl("proxy.corp", 3128, null, null),
        ProxyUrl.parse("http://proxy.corp:3128", "t"));
    assertEquals(
        new ProxyUrl("proxy.corp", 1080, null, null),
        ProxyUrl.parse("proxy.corp", "t"),
        "no scheme is http, no port is 1080");
    assertEquals(
        new ProxyUrl("proxy.corp", 3128, null, null),
        ProxyUrl.parse("HTTP://Proxy.Corp:3128/", "t"));
    assertEquals(new ProxyUrl("::1", 8080, null, null), ProxyUrl.parse("http://[::1]:8080", "t"));
  }

  @Test
  void credentialsArePercentDecodedAndGoOnlyIntoTheHeader() {
    ProxyUrl proxy = ProxyUrl.parse("http://al%40ice:p%3Ass+w%2Fd@proxy:3128", "t");
    assertEquals("al@ice", proxy.user());
    assertEquals("p:ss+w/d", proxy.password());
    assertEquals(
        "Basic "
            + Base64.getEncoder()
                .encodeToString("al@ice:p:ss+w/d".getBytes(StandardCharsets.UTF_8)),
        proxy.basicCredentials());
    assertEquals("http://al%40ice:xxxxx@proxy:3128", proxy.redacted());
    assertEquals(proxy.redacted(), proxy.toString(), "a record's toString would print it");
    assertNull(ProxyUrl.parse("http://proxy:1", "t").basicCredentials());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "https://proxy:443",
        "socks5://proxy:1080",
        "socks5h://u:secret@proxy:1080",
        "ftp://proxy",
        "http://",
        "http://u:secret@",
        "http://proxy:0",
        "http://proxy:70000",
        "http://proxy:3128/path",
        "http://proxy:3128?x=1",
        "http://pro xy:3128",
        "http://u:secret@proxy:3128/p",
        "http://u:sec%zzret@proxy:3128",
        "http://alice:secret",
        "alice:pa://secret@proxy:3128x"
      })
  void refusesWhatCannotBeUsedAndNeverShowsThePassword(String text) {
    NetworkSettingException e =
        assertThrows(NetworkSettingException.class, () -> ProxyUrl.parse(text, "flag --proxy"));
    assertTrue(e.getMessage().contains("(flag --proxy)"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertFalse(e.getMessage().contains("sec%zz"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void redactsEvenWhatDoesNotParse() {
    assertEquals("http://u:xxxxx@host", ProxyUrl.redact("http://u:p@ss@host"));
    assertEquals("u:xxxxx@host:1", ProxyUrl.redact("u:p@host:1"));
    assertEquals("http://u@host:1", ProxyUrl.redact("http://u@host:1"), "no password to hide");
    assertEquals("alice:xxxxx@proxy:3128", ProxyUrl.redact("alice:pa://ss@proxy:3128"));
    assertEquals("http://alice:xxxxx", ProxyUrl.redact("http://alice:hunter2pw"), "no host");
    assertEquals("http://proxy:3128/x", ProxyUrl.redact("http://proxy:3128/x"));
    assertEquals("proxy", ProxyUrl.redact("proxy"));
    assertEquals("http://host:1", ProxyUrl.redact("http://host:1"));
  }
}
