package dev.edlinkidem.sandbox;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the sandbox has done since it started or was last reset, for {@code GET /__sandbox/stats}.
 */
final class Counters {
  /** Each counter; its name in the stats is the lower-case name. */
  enum Counter {
    /** API requests received, including the refused and the faulted ones. */
    REQUESTS,
    /** Records created. */
    CREATES,
    /** Repeated keys answered from the idempotency store. */
    REPLAYS,
    /** Connections closed without an answer, before or after commit. */
    DROPS,
    /** Injected 503s and INTERNALs. */
    ERRORS,
    /** Injected 429s. */
    THROTTLES,
    /** 409s for a key whose first request was still being processed. */
    CONFLICTS,
    /** User tokens refreshed at the token endpoint. */
    REFRESHES;

    String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Map<Counter, AtomicLong> values = new EnumMap<>(Counter.class);

  Counters() {
    for (Counter c : Counter.values()) {
      values.put(c, new AtomicLong());
    }
  }

  void increment(Counter c) {
    values.get(c).incrementAndGet();
  }

  long get(Counter c) {
    return values.get(c).get();
  }

  void reset() {
    values.values().forEach(v -> v.set(0));
  }
}
