package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.net.Network;
import dev.edlinkidem.net.TrustingNothing;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpClientAheadTest {
  @Test
  void givesTheClientDefaultHttpClientWouldGive() {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), false);
    HttpClient client = ahead.get();
    assertEquals(Optional.of(Duration.ofSeconds(7)), client.connectTimeout());
    assertEquals(HttpClient.Redirect.NEVER, client.followRedirects());
    assertEquals(HttpClient.Version.HTTP_1_1, client.version());
    assertTrue(client.sslContext() instanceof TrustingNothing);
    assertTrue(ahead.get() == client, "one client, however often it is asked for");
  }

  @Test
  void isForOnlyTheTimeoutAndTlsItWasStartedWith() {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), true);
    assertTrue(ahead.isFor(Network.DIRECT, Duration.ofSeconds(7), true));
    assertFalse(ahead.isFor(Network.DIRECT, Duration.ofSeconds(7), false));
    assertFalse(ahead.isFor(Network.DIRECT, Duration.ofSeconds(8), true));
  }

  @Test
  void whatBuildingThrewIsThrownByGet() {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(-1), false);
    assertThrows(IllegalArgumentException.class, ahead::get);
  }

  @Test
  void anInterruptionWhileWaitingIsKeptForTheNextBlockingStep() {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), false);
    Thread.currentThread().interrupt();
    try {
      assertEquals(Optional.of(Duration.ofSeconds(7)), ahead.get().connectTimeout());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void closingAnUnusedClientWaitsForItsBuilderThread() throws Exception {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), false);
    ahead.closeIfUnused();
    assertFalse(ahead.builderAlive(), "a client is still being built after closeIfUnused");
  }

  @Test
  void aClientThatFailedToBuildAndWasNotTakenIsNoError() {
    HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(-1), false).closeIfUnused();
  }

  @Test
  void anUnusedClientIsClosedWhereTheRuntimeCanCloseOne() throws Exception {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), false);
    ahead.closeIfUnused();
    HttpClient client = ahead.peek();
    if (Runtime.version().feature() >= 21) {
      assertEquals(true, HttpClient.class.getMethod("isTerminated").invoke(client));
    } else {
      // JDK 17's HttpClient cannot be closed: its selector ends when the client is collected.
      assertFalse(client instanceof AutoCloseable);
    }
  }

  @Test
  void aTakenClientIsNotClosed() throws Exception {
    HttpClientAhead ahead = HttpClientAhead.start(Network.DIRECT, Duration.ofSeconds(7), false);
    HttpClient client = ahead.get();
    ahead.closeIfUnused();
    if (Runtime.version().feature() >= 21) {
      assertEquals(false, HttpClient.class.getMethod("isTerminated").invoke(client));
    } else {
      assertTrue(client.connectTimeout().isPresent(), "the client is there, open");
    }
  }
}
