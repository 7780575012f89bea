package dev.edlinkidem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the token may go: the rule every command that sends, and the request log, use. */
class DestinationTest {
  private static final URI EDLINK = URI.create("https://ed.link");

  @Test
  void theBaseUrlIsHttpsOrPlainHttpToALoopbackHostOnly() {
    assertEquals(URI.create("https://ed.link"), Destination.baseUrl("https://ed.link/"));
    assertEquals(URI.create("http://127.0.0.1:8790"), Destination.baseUrl("http://127.0.0.1:8790"));
    Destination.baseUrl("http://[::1]:8790");
    Destination.baseUrl("http://sandbox.localhost");
    assertTrue(
        refusal(() -> Destination.baseUrl("http://ed.link"))
            .contains("the token would travel unencrypted"));
    assertTrue(
        refusal(() -> Destination.baseUrl("ftp://ed.link")).contains("must start with https://"));
    assertTrue(refusal(() -> Destination.baseUrl("https://ed.link?x=1")).contains("?query"));
    assertTrue(
        refusal(() -> Destination.baseUrl("https://user:pw@ed.link"))
            .contains("user name or password"));
    assertTrue(refusal(() -> Destination.baseUrl("https://ed.link:0")).contains("port 0"));
    assertTrue(refusal(() -> Destination.baseUrl("ed.link")).contains("needs a scheme and a host"));
  }

  @Test
  void aPathIsJoinedToTheBaseUrlAndAFullUrlMustBeOnItsOrigin() {
    assertEquals(
        "https://ed.link/api/v2/graph/classes/c/assignments",
        Destination.resolve("/api/v2/graph/classes/c/assignments", EDLINK, List.of()));
    assertEquals(
        "https://ed.link:443/api/v2/x",
        Destination.resolve("https://ed.link:443/api/v2/x", EDLINK, List.of()));
    assertTrue(
        refusal(() -> Destination.resolve("https://elsewhere.example/x", EDLINK, List.of()))
            .startsWith("refusing to send the token to https://elsewhere.example:443"));
    assertEquals(
        "https://elsewhere.example/x",
        Destination.resolve("https://elsewhere.example/x", EDLINK, List.of("ELSEWHERE.example")));
    assertTrue(
        refusal(
                () ->
                    Destination.resolve(
                        "http://elsewhere.example/x", EDLINK, List.of("elsewhere.example")))
            .startsWith("refusing plain http://"));
    assertTrue(
        refusal(() -> Destination.resolve("/x?$idempotency=k", EDLINK, List.of()))
            .contains("--key"));
    assertTrue(
        refusal(() -> Destination.resolve("/x#top", EDLINK, List.of())).contains("#fragment"));
    assertTrue(
        refusal(() -> Destination.resolve("api/v2/x", EDLINK, List.of()))
            .contains("neither an API path"));
  }

  @Test
  void anOriginSpellsOutItsDefaultPortAndIgnoresCase() {
    assertTrue(
        Destination.sameOrigin(URI.create("https://ED.link:443/a"), URI.create("https://ed.link")));
    assertTrue(
        Destination.sameOrigin(
            URI.create("http://localhost/a"), URI.create("http://localhost:80")));
    assertFalse(
        Destination.sameOrigin(URI.create("http://ed.link/a"), URI.create("https://ed.link")));
    assertFalse(
        Destination.sameOrigin(
            URI.create("https://ed.link:8443/a"), URI.create("https://ed.link")));
    // The root's dot: a batch line to a base of ed.link. is journaled to ed.link, and replays.
    assertTrue(
        Destination.sameOrigin(URI.create("https://ed.link/a"), URI.create("https://ed.link.")));
    Destination.checkOrigin(
        URI.create("https://x.example/a"), URI.create("https://ed.link"), List.of("X.example."));
  }

  @Test
  void loopbackIsLocalhostAndTheLoopbackAddressesOnly() {
    for (String host :
        List.of(
            "localhost", "LOCALHOST", "api.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "::1")) {
      assertTrue(Destination.isLoopback(host), host);
    }
    for (String host : List.of("ed.link", "localhost.example", "128.0.0.1", "10.0.0.1", "[::2]")) {
      assertFalse(Destination.isLoopback(host), host);
    }
  }

  private static String refusal(Runnable r) {
    return assertThrows(InvalidRequestException.class, r::run).getMessage();
  }
}
