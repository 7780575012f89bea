package dev.edlinkidem.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Answers remembered by idempotency key for 30 days, and the keys whose first request is still
 * being processed. One store for the whole sandbox, whatever the token.
 */
final class IdempotencyStore {
  static final Duration WINDOW = Duration.ofDays(30);
  static final int MAX_KEY_LENGTH = 255;

  /** What a key means when a request carrying it arrives. */
  sealed interface Claim permits Fresh, Repeat, InProgress {}

  /**
   * First use of the key inside the window: the caller processes it, then completes or releases it.
   */
  record Fresh(String key) implements Claim {}

  /** The key was answered before: this is that answer. */
  record Repeat(Reply reply) implements Claim {}

  /** The first request with this key has not finished yet. */
  record InProgress() implements Claim {}

  private record Stored(Reply reply, Instant at) {}

  private final Clock clock;
  private final Map<String, Stored> stored = new HashMap<>();
  private final Set<String> inProgress = new HashSet<>();

  IdempotencyStore(Clock clock) {
    this.clock = clock;
  }

  synchronized Claim claim(String key) {
    forgetExpired();
    Stored s = stored.get(key);
    if (s != null) {
      return new Repeat(s.reply());
    }
    if (!inProgress.add(key)) {
      return new InProgress();
    }
    return new Fresh(key);
  }

  /** Remembers the answer to a fresh key. */
  synchronized void complete(Fresh claim, Reply reply) {
    inProgress.remove(claim.key());
    stored.put(claim.key(), new Stored(reply, clock.instant()));
  }

  /**
   * Gives a fresh key up without an answer (a fault struck first): the next request with it is new.
   */
  synchronized void release(Fresh claim) {
    inProgress.remove(claim.key());
  }

  /** Keys with a remembered answer inside the window. */
  synchronized int size() {
    forgetExpired();
    return stored.size();
  }

  synchronized int inProgress() {
    return inProgress.size();
  }

  synchronized void clear() {
    stored.clear();
    inProgress.clear();
  }

  private void forgetExpired() {
    Instant oldest = clock.instant().minus(WINDOW);
    stored.values().removeIf(s -> !s.at().isAfter(oldest));
  }
}
