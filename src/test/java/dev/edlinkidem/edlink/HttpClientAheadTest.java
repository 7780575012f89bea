package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpClientAheadTest {
  @Test
  void givesTheClientDefaultHttpClientWouldGive() {
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), false);
    HttpClient client = ahead.get();
    assertEquals(Optional.of(Duration.ofSeconds(7)), client.connectTimeout());
    assertEquals(HttpClient.Redirect.NEVER, client.followRedirects());
    assertEquals(HttpClient.Version.HTTP_1_1, client.version());
    assertTrue(client.sslContext() instanceof EdlinkClient.TrustingNothing);
    assertTrue(ahead.get() == client, "one client, however often it is asked for");
  }

  @Test
  void isForOnlyTheTimeoutAndTlsItWasStartedWith() {
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), true);
    assertTrue(ahead.isFor(Duration.ofSeconds(7), true));
    assertFalse(ahead.isFor(Duration.ofSeconds(7), false));
    assertFalse(ahead.isFor(Duration.ofSeconds(8), true));
  }

  @Test
  void whatBuildingThrewIsThrownByGet() {
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(-1), false);
    assertThrows(IllegalArgumentException.class, ahead::get);
  }

  @Test
  void anInterruptionWhileWaitingIsKeptForTheNextBlockingStep() {
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), false);
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
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), false);
    ahead.closeIfUnused();
    assertFalse(ahead.builderAlive(), "a client is still being built after closeIfUnused");
  }

  @Test
  void aClientThatFailedToBuildAndWasNotTakenIsNoError() {
    HttpClientAhead.start(Duration.ofSeconds(-1), false).closeIfUnused();
  }

  @Test
  void anUnusedClientIsClosedWhereTheRuntimeCanCloseOne() throws Exception {
    assumeTrue(
        Runtime.version().feature() >= 21,
        "HttpClient.close() is JDK 21's; this JVM is " + Runtime.version().feature());
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), false);
    ahead.closeIfUnused();
    HttpClient client = ahead.peek();
    assertEquals(true, HttpClient.class.getMethod("isTerminated").invoke(client));
  }

  @Test
  void aTakenClientIsNotClosed() throws Exception {
    assumeTrue(
        Runtime.version().feature() >= 21,
        "HttpClient.close() is JDK 21's; this JVM is " + Runtime.version().feature());
    HttpClientAhead ahead = HttpClientAhead.start(Duration.ofSeconds(7), false);
    HttpClient client = ahead.get();
    ahead.closeIfUnused();
    assertEquals(false, HttpClient.class.getMethod("isTerminated").invoke(client));
  }
}
