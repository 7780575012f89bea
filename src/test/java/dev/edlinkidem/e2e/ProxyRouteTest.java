package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * What a post says when the way to Edlink fails before any request leaves: "nothing reached Edlink"
 * only when that holds for every attempt the entry ever had.
 */
class ProxyRouteTest extends SandboxCase {
  @Test
  void nothingReachedEdlinkIsSaidOnlyWhenEveryAttemptFailedOnTheWay() throws Exception {
    int dead;
    try (ServerSocket gone = new ServerSocket(0)) {
      dead = gone.getLocalPort();
    }
    String proxy = "http://127.0.0.1:" + dead;
    Cli.Result posted =
        cli()
            .env("EDLINK_BASE_URL", "https://127.0.0.1:9")
            .run(
                "--proxy",
                proxy,
                "post",
                ASSIGNMENTS,
                "-d",
                ESSAY,
                "-k",
                "way-1",
                "--retries",
                "1");
    assertEquals(6, posted.code(), posted.toString());
    assertTrue(
        posted
            .err()
            .contains("no response after 2 attempts (could not reach the proxy 127.0.0.1:" + dead),
        posted.err());
    assertTrue(posted.err().contains("; nothing reached Edlink) · way-1 is pending"), posted.err());

    // A replay cannot know what the attempts of an earlier run did: it claims nothing.
    Cli.Result replayed =
        cli()
            .env("EDLINK_BASE_URL", "https://127.0.0.1:9")
            .run("--proxy", proxy, "replay", "way-1", "--retries", "0");
    assertEquals(6, replayed.code(), replayed.toString());
    assertTrue(replayed.err().contains("could not reach the proxy"), replayed.err());
    assertFalse(replayed.err().contains("nothing reached Edlink"), replayed.err());

    // Direct, a refused connection says nothing either: the TCP connection was Edlink's.
    Cli.Result direct =
        cli()
            .env("EDLINK_BASE_URL", "https://127.0.0.1:" + dead)
            .run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "way-2", "--retries", "0");
    assertEquals(6, direct.code(), direct.toString());
    assertFalse(direct.err().contains("nothing reached Edlink"), direct.err());
  }
}
