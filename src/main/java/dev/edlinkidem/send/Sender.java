package dev.edlinkidem.send;

import dev.edlinkidem.edlink.Answer;
import dev.edlinkidem.edlink.Bearer;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.edlink.EdlinkClient.Exchange;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.edlink.RetryPolicy;
import dev.edlinkidem.journal.Attempt;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.journal.JournalException;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.request.RecordedResponse;
import dev.edlinkidem.time.Time;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Random;

/**
 * Sends a journaled entry until it has a final answer or the retry policy gives up, recording every
 * attempt and the outcome through the key's lease. Every attempt sends the same key and the same
 * bytes.
 */
public final class Sender {
  /** Hears about each attempt as it ends, with the wait before the next one if there is one. */
  public interface Listener {
    void attempted(Attempt attempt, Optional<Duration> nextWait);
  }

  /**
   * What several senders share: every attempt waits for its turn, and a server asking to slow down
   * (429, Retry-After) is told to all of them, not only to the request that heard it.
   */
  public interface Pace {
    /** A sender on its own: no waiting, nothing shared. */
    Pace NONE =
        new Pace() {
          @Override
          public boolean awaitTurn(Duration atMost) {
            return true;
          }

          @Override
          public void attemptEnded() {}

          @Override
          public void slowDown(Duration wait, long started) {}

          @Override
          public void answered(long started) {}
        };

    /**
     * Blocks until this attempt may start, and returns true; {@link #attemptEnded} must follow once
     * it has. Returns false, at once or after waiting, when the attempt may not start within {@code
     * atMost} (a pause longer than the request's --max-time) or must not start at all (the batch is
     * stopping): the request is then not sent.
     */
    boolean awaitTurn(Duration atMost) throws InterruptedException;

    /** The attempt that {@link #awaitTurn} let start has ended, with or without an answer. */
    void attemptEnded();

    /**
     * The server asked for {@code wait} before anyone asks again, in answer to an attempt that
     * started at {@code started} ({@link Time#nanoTime}).
     */
    void slowDown(Duration wait, long started);

    /** An attempt that started at {@code started} got an answer that was not a request to wait. */
    void answered(long started);

    /**
     * The attempt that ended is to be tried again, after a wait: nothing is in flight meanwhile.
     */
    default void retrying() {}
  }

  /** 429s a request waits out before they count against --retries. */
  static final int FREE_THROTTLES = 50;

  private final EdlinkClient client;
  private final RetryPolicy policy;
  private final Time time;
  private final Random jitter;
  private final Listener listener;

  /** A sender on its own, with nothing shared. */
  /**
   * @param time the wall clock for attempts' timestamps, and the ticker and sleeps of the waits
   */
  public Sender(
      EdlinkClient client, RetryPolicy policy, Time time, Random jitter, Listener listener) {
    this.client = client;
    this.policy = policy;
    this.time = time;
    this.jitter = jitter;
    this.listener = listener;
  }

  /**
   * Sends a pending entry whose lease the caller holds.
   *
   * @param via how an outcome will be recorded as learned: {@code post} or {@code replay}
   */
  public Delivery send(Journal.Lease lease, Entry entry, String via)
      throws JournalException, InterruptedException {
    return send(lease, entry, via, Pace.NONE);
  }

  /**
   * Sends a pending entry whose lease the caller holds, at a pace it shares with others sending at
   * the same time (a batch line's, which also keeps its place in the file's order).
   */
  public Delivery send(Journal.Lease lease, Entry entry, String via, Pace pace)
      throws JournalException, InterruptedException {
    long started = time.nanoTime();
    Duration budget = policy.maxTime();
    int number = entry.attempts().size();
    RecordedResponse last = null;
    String error = null;
    Delivery.Kind pendingKind = Delivery.Kind.NO_RESPONSE;
    int sent = 0; // attempts in this run: the retries, and a resend with a renewed token
    boolean neverSent = entry.attempts().isEmpty(); // every attempt failed before leaving
    int throttled = 0; // 429s waited out without using a retry
    for (int retry = 0; ; ) {
      Duration left = budget.minus(time.since(started));
      if (sent > 0 && (left.isNegative() || left.isZero())) {
        // The process was paused (Ctrl-Z, a laptop asleep) past --max-time during a wait.
        return new Delivery(pendingKind, entry, last, error, sent);
      }
      if (!pace.awaitTurn(left)) {
        return new Delivery(
            pendingKind,
            entry,
            last,
            sent == 0
                ? "not sent: the batch stopped, or Edlink asked it to"
                    + " wait longer than --max-time"
                : error,
            sent);
      }
      left = budget.minus(time.since(started));
      Duration timeout =
          policy.attemptTimeout().compareTo(left) < 0 ? policy.attemptTimeout() : left;
      if (timeout.isNegative() || timeout.isZero()) {
        pace.attemptEnded();
        return new Delivery(pendingKind, entry, last, error, sent);
      }
      Instant at = time.now();
      long t0 = time.nanoTime();
      String token = client.token();
      Exchange exchange;
      try {
        exchange = client.send(entry.request(), entry.key(), timeout, token);
      } finally {
        pace.attemptEnded();
      }
      Duration took = time.since(t0);
      number++;
      sent++;

      Attempt attempt;
      Optional<Duration> retryAfter = Optional.empty();
      boolean retryable;
      if (exchange instanceof Exchange.Response r) {
        neverSent = false;
        last = r.response();
        error = null;
        int status = last.status();
        // A body cut at the cap is not JSON: parsing all of it would cost a copy of it, to learn
        // nothing.
        Envelope envelope = last.truncated() ? Envelope.EMPTY : Envelope.of(last.body());
        attempt =
            new Attempt(
                number,
                at,
                took,
                Attempt.Result.RESPONSE,
                status,
                null,
                envelope.requestId(),
                httpDate(last.header("Date")));
        retryAfter = RetryPolicy.retryAfter(last.header("Retry-After"), time.now());
        if (status == 429 || status >= 500 && retryAfter.isPresent()) {
          // Throttled: everyone sharing the pace waits, or the others would keep hitting the limit.
          pace.slowDown(retryAfter.orElseGet(() -> policy.backoff(1, jitter)), t0);
        } else {
          pace.answered(t0);
        }
        switch (Answer.of(last, envelope)) {
          case DONE -> {
            return finish(
                lease,
                entry,
                attempt,
                EntryState.SUCCEEDED,
                Delivery.Kind.SUCCEEDED,
                last,
                via,
                sent);
          }
          case REJECTED -> {
            return finish(
                lease, entry, attempt, EntryState.FAILED, Delivery.Kind.FAILED, last, via, sent);
          }
          case TOKEN_REFUSED -> {
            // Nothing was done. A user token expires after an hour: renewed, the same key is sent
            // again at once, whatever the retries, since a refused token did nothing to retry. The
            // attempt is journaled first, so that a refresh that hangs or is interrupted loses
            // nothing.
            entry = entry.withAttempt(attempt);
            lease.recordAttempt(attempt);
            Bearer.Renewal renewal =
                EdlinkClient.userApi(entry.request().url())
                    ? client.renewToken(token, budget.minus(time.since(started)))
                    : Bearer.Renewal.NONE;
            Duration leftNow = budget.minus(time.since(started));
            boolean again = renewal.token() != null && !leftNow.isNegative() && !leftNow.isZero();
            listener.attempted(attempt, again ? Optional.of(Duration.ZERO) : Optional.empty());
            if (again) {
              // Should the resend not start after all (the batch stops), this is how it ended.
              pendingKind = Delivery.Kind.CREDENTIALS_REFUSED;
              error = "the user token was refreshed, but the request was not sent again";
              continue;
            }
            return new Delivery(
                Delivery.Kind.CREDENTIALS_REFUSED,
                entry,
                last,
                renewal.token() != null
                    ? "the user token was refreshed, but --max-time ran out before it could be"
                        + " sent again"
                    : renewal.whyNot(),
                sent);
          }
          case NOT_AN_ANSWER -> {
            // Not a verdict (redirects are never followed), and asking again gets the same.
            return stopPending(lease, entry, attempt, Delivery.Kind.UNEXPECTED, last, sent);
          }
          case UNKNOWN_OUTCOME -> {
            // 501, 505 and the like will not change by asking again, but nothing says the work was
            // done.
            pendingKind = Delivery.Kind.SERVER_ERROR;
            retryable = Answer.worthAskingAgain(status, envelope);
          }
          default -> throw new IllegalStateException("an answer of no kind");
        }
      } else {
        Exchange.NoResponse none = (Exchange.NoResponse) exchange;
        neverSent &= none.neverSent();
        last = null;
        error = none.error();
        pendingKind = Delivery.Kind.NO_RESPONSE;
        Attempt.Result result =
            none.timedOut() ? Attempt.Result.TIMEOUT : Attempt.Result.NO_RESPONSE;
        attempt = new Attempt(number, at, took, result, 0, none.error(), null);
        retryable = none.worthRetrying();
      }
      entry = entry.withAttempt(attempt);
      lease.recordAttempt(attempt);

      // Edlink asking to wait (429) is waited out without using a retry, within --max-time, so
      // that a throttled batch does not leave lines pending for its pace alone; up to a bound.
      boolean free = attempt.status() == 429 && throttled < FREE_THROTTLES;
      int waits = free ? throttled : retry;
      Duration wait = retryAfter.isPresent() ? retryAfter.get() : policy.backoff(waits + 1, jitter);
      Duration leftAfterWait = budget.minus(time.since(started)).minus(wait);
      boolean again =
          retryable
              && (free || retry < policy.retries())
              && !leftAfterWait.isNegative()
              && !leftAfterWait.isZero();
      listener.attempted(attempt, again ? Optional.of(wait) : Optional.empty());
      if (!again) {
        return new Delivery(pendingKind, entry, last, error, sent, neverSent);
      }
      if (free) {
        throttled++;
      } else {
        retry++;
      }
      pace.retrying();
      time.sleep(wait);
    }
  }

  /** Records an attempt whose answer leaves the entry pending and is not worth asking again. */
  private Delivery stopPending(
      Journal.Lease lease,
      Entry entry,
      Attempt attempt,
      Delivery.Kind kind,
      RecordedResponse response,
      int attempts)
      throws JournalException {
    lease.recordAttempt(attempt);
    listener.attempted(attempt, Optional.empty());
    return new Delivery(kind, entry.withAttempt(attempt), response, null, attempts);
  }

  private Delivery finish(
      Journal.Lease lease,
      Entry entry,
      Attempt attempt,
      EntryState state,
      Delivery.Kind kind,
      RecordedResponse response,
      String via,
      int attempts)
      throws JournalException {
    Outcome outcome = new Outcome(state, time.now(), response, via);
    lease.recordFinal(attempt, outcome);
    listener.attempted(attempt, Optional.empty());
    return new Delivery(
        kind, entry.withAttempt(attempt).withOutcome(outcome), response, null, attempts);
  }

  /** An HTTP Date header (RFC 1123), or null when there is none or it cannot be read. */
  static Instant httpDate(String value) {
    if (value == null) {
      return null;
    }
    try {
      return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
