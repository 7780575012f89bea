package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.gson.JsonPrimitive;
import dev.edlinkidem.sandbox.IdempotencyStore.Fresh;
import dev.edlinkidem.sandbox.IdempotencyStore.InProgress;
import dev.edlinkidem.sandbox.IdempotencyStore.Repeat;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IdempotencyStoreTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T09:30:00Z"));
  private final IdempotencyStore store = new IdempotencyStore(clock);

  @Test
  void aKeyIsInProgressUntilCompleted() {
    Fresh fresh = assertInstanceOf(Fresh.class, store.claim("k"));
    assertInstanceOf(InProgress.class, store.claim("k"));

    Reply reply = Reply.data(new JsonPrimitive(1));
    store.complete(fresh, reply);

    assertEquals(reply, assertInstanceOf(Repeat.class, store.claim("k")).reply());
    assertEquals(1, store.size());
    assertEquals(0, store.inProgress());
  }

  @Test
  void aReleasedKeyIsFreshAgain() {
    store.release(assertInstanceOf(Fresh.class, store.claim("k")));

    assertInstanceOf(Fresh.class, store.claim("k"));
    assertEquals(0, store.size());
  }

  @Test
  void anAnswerIsRememberedFor30Days() {
    store.complete(
        assertInstanceOf(Fresh.class, store.claim("k")), Reply.data(new JsonPrimitive(1)));

    clock.advance(Duration.ofDays(30).minusSeconds(1));
    assertInstanceOf(Repeat.class, store.claim("k"));
    clock.advance(Duration.ofSeconds(1));
    assertInstanceOf(Fresh.class, store.claim("k"));
  }
}
