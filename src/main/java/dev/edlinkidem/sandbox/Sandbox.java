package dev.edlinkidem.sandbox;

import com.google.gson.JsonObject;
import dev.edlinkidem.sandbox.Counters.Counter;
import dev.edlinkidem.sandbox.IdempotencyStore.Claim;
import dev.edlinkidem.sandbox.IdempotencyStore.Fresh;
import dev.edlinkidem.sandbox.IdempotencyStore.InProgress;
import dev.edlinkidem.sandbox.IdempotencyStore.Repeat;
import dev.edlinkidem.time.DurationSyntax;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;

/**
 * The sandbox's state, and the way of one API request through it: token, idempotency key, latency,
 * faults, then the resource itself. Knows nothing of HTTP: a dropped connection is an {@link
 * Outcome} without a reply.
 */
final class Sandbox {
  /**
   * What to do with one request.
   *
   * @param reply the answer to send, or null to close the connection without answering
   * @param summary what happened, for the one-line log: "200 created", "dropped before commit"
   */
  record Outcome(Reply reply, String summary) {
    boolean dropped() {
      return reply == null;
    }
  }

  private final Tokens tokens;
  private final SandboxClock clock;
  private final FaultDice dice;
  private volatile Faults faults;
  private final Counters counters = new Counters();
  private final RecordStore records = new RecordStore();
  private final RequestLog log;
  private final IdempotencyStore keys;
  private final RateLimiter limiter = new RateLimiter(System::nanoTime);
  private final Api api;

  Sandbox(SandboxServer.Options options, SandboxClock clock) {
    this.clock = clock;
    this.tokens =
        new Tokens(
            options.integrationToken(),
            options.clientId(),
            options.clientSecret(),
            options.userTokenTtl(),
            clock);
    this.faults = Objects.requireNonNull(options.faults(), "faults");
    long seed = options.seed();
    this.dice = new FaultDice(seed);
    this.log = new RequestLog(clock);
    this.keys = new IdempotencyStore(clock);
    this.api = new Api(records, log, counters, clock);
  }

  Faults faults() {
    return faults;
  }

  void setFaults(Faults faults) {
    this.faults = Objects.requireNonNull(faults, "faults");
  }

  Outcome handle(ApiRequest request) throws InterruptedException {
    counters.increment(Counter.REQUESTS);
    Instant started = clock.instant();
    // A bad token is refused before anything else, like Edlink's gateway does; it draws no dice,
    // so that a seeded run does not depend on how many such requests came in.
    Reply refusal = tokens.refusal(request);
    if (refusal != null) {
      return new Outcome(refusal, refusal.status() + " " + refusal.errorCode());
    }
    Faults now = faults;
    if (now.rateLimit() > 0) {
      // Before the key is claimed, as a gateway's limit comes before the API: nothing is done.
      Duration wait = limiter.refusal(request.bearerToken(), now.rateLimit());
      if (wait != null) {
        counters.increment(Counter.THROTTLES);
        return new Outcome(
            Reply.error(
                    429,
                    "TOO_MANY_REQUESTS",
                    "past the sandbox's --rate-limit of "
                        + Faults.rate(now.rateLimit())
                        + " for this token; nothing was done")
                .withHeader("Retry-After", RateLimiter.retryAfter(wait)),
            "429 rate limit");
      }
    }
    String key = request.idempotencyKey();
    boolean keyed =
        request.method().equals("POST")
            && key != null
            && key.length() <= IdempotencyStore.MAX_KEY_LENGTH;
    // The key is claimed on arrival, before the latency, so that a repeat arriving while this one
    // is still being processed sees it in progress.
    Claim claim = keyed ? keys.claim(key) : null;
    boolean remembered = false;
    try {
      if (!now.latency().isZero()) {
        Thread.sleep(now.latency().toMillis());
      }
      Fault fault = dice.roll(now);
      switch (fault) {
        case DROP_BEFORE_COMMIT:
          counters.increment(Counter.DROPS);
          return new Outcome(null, "dropped before commit");
        case ERROR:
          counters.increment(Counter.ERRORS);
          return new Outcome(
              Reply.error(
                  503,
                  "SERVICE_UNAVAILABLE",
                  "injected by the sandbox (--error-rate); nothing was done"),
              "503 injected");
        case INTERNAL_ERROR:
          counters.increment(Counter.ERRORS);
          return new Outcome(
              Reply.error(
                  400,
                  "INTERNAL",
                  "injected by the sandbox (--internal-error-rate); nothing was done"),
              "400 INTERNAL injected");
        case THROTTLE:
          counters.increment(Counter.THROTTLES);
          return new Outcome(
              Reply.error(
                      429,
                      "TOO_MANY_REQUESTS",
                      "injected by the sandbox (--throttle-rate); nothing was done")
                  .withHeader("Retry-After", "1"),
              "429 injected");
        default:
          break;
      }

      Reply reply;
      String summary;
      if (claim instanceof InProgress) {
        counters.increment(Counter.CONFLICTS);
        reply =
            Reply.error(
                409,
                "IDEMPOTENCY_KEY_IN_PROGRESS",
                "a request with this idempotency key is still being processed; retry later with the"
                    + " same key");
        summary = "409 in progress";
      } else if (claim instanceof Repeat repeat) {
        counters.increment(Counter.REPLAYS);
        reply =
            repeat
                .reply()
                .withWarning(
                    "IDEMPOTENCY_KEY_REPEATED",
                    "this idempotency key was used before: this is the response to its first"
                        + " request");
        summary = reply.status() + " repeated";
      } else {
        reply = process(request);
        if (fault == Fault.INTERNAL_AFTER_COMMIT && reply.status() / 100 == 2) {
          // The work is done and stays done; the key keeps this answer, as Edlink keeps the first.
          counters.increment(Counter.ERRORS);
          reply =
              Reply.error(
                  400,
                  "INTERNAL",
                  "injected by the sandbox (--internal-after-commit); the work was done");
        }
        if (claim instanceof Fresh fresh) {
          keys.complete(fresh, reply);
          remembered = true;
        }
        summary = summary(request, reply);
      }
      // A 409 is left out of the log: the key's first request is still to be logged, and a
      // reader of the log must not take the 409 for the key's answer.
      if (!(claim instanceof InProgress) && !Api.readsRequestLog(request)) {
        log.add(
            request,
            started,
            reply.status(),
            Api.input(request),
            reply.body(),
            tokens.personOf(request.bearerToken()));
      }
      if (fault == Fault.DROP_AFTER_COMMIT) {
        counters.increment(Counter.DROPS);
        return new Outcome(null, summary + ", dropped after commit");
      }
      return new Outcome(reply, summary);
    } finally {
      if (claim instanceof Fresh fresh && !remembered) {
        keys.release(fresh);
      }
    }
  }

  private Reply process(ApiRequest request) {
    String key = request.idempotencyKey();
    if (key == null) {
      return api.process(request);
    }
    if (!request.method().equals("POST")) {
      return api.process(request)
          .withWarning(
              "IDEMPOTENCY_KEY_IGNORED",
              request.method() + " is already idempotent: the idempotency key was ignored");
    }
    if (key.length() > IdempotencyStore.MAX_KEY_LENGTH) {
      return Reply.error(
          400,
          "IDEMPOTENCY_KEY_TOO_LONG",
          "an idempotency key has at most "
              + IdempotencyStore.MAX_KEY_LENGTH
              + " characters; this one has "
              + key.length());
    }
    return api.process(request);
  }

  private static String summary(ApiRequest request, Reply reply) {
    String code = reply.errorCode();
    if (code != null) {
      return reply.status() + " " + code;
    }
    switch (request.method()) {
      case "POST":
        return reply.status() + " created";
      case "PATCH":
        return reply.status() + " updated";
      default:
        return Integer.toString(reply.status());
    }
  }

  /** {@code POST /api/authentication/token}, with the body's fields. */
  Reply grant(Map<String, String> form) {
    Reply reply = tokens.grant(form);
    if (reply.status() == 200) {
      counters.increment(Counter.REFRESHES);
    }
    return reply;
  }

  /** A new user's token set, for {@code POST /__sandbox/user-tokens}. */
  JsonObject issueUserTokens() {
    return tokens.issue();
  }

  /** {@code GET /__sandbox/clock}: what time the sandbox thinks it is, and how far ahead it is. */
  JsonObject clock() {
    JsonObject json = new JsonObject();
    json.addProperty("now", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    json.addProperty("ahead", DurationSyntax.format(clock.ahead()));
    return json;
  }

  /** Moves the sandbox's clock forward: keys, the log and user tokens age by {@code by}. */
  void advanceClock(Duration by) {
    clock.advance(by);
  }

  /** The JSON of {@code GET /__sandbox/stats}. */
  JsonObject stats() {
    JsonObject stats = new JsonObject();
    for (Counter c : Counter.values()) {
      stats.addProperty(c.jsonName(), counters.get(c));
    }
    stats.addProperty("idempotency_keys", keys.size());
    stats.addProperty("in_progress", keys.inProgress());
    stats.addProperty("clock_ahead", DurationSyntax.format(clock.ahead()));
    JsonObject perCollection = new JsonObject();
    records.counts().forEach(perCollection::addProperty);
    stats.add("records", perCollection);
    return stats;
  }

  /**
   * Forgets every record, key, log entry and counter, refills the rate limit's buckets, and rewinds
   * the dice; the faults stay.
   */
  void reset() {
    limiter.reset();
    tokens.clear();
    clock.rewind();
    records.clear();
    keys.clear();
    log.clear();
    counters.reset();
    dice.rewind();
  }
}
