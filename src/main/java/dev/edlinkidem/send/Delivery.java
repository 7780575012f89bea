package dev.edlinkidem.send;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.request.RecordedResponse;

/**
 * How sending an entry ended.
 *
 * @param entry the entry with this run's attempts and outcome folded in
 * @param last the last response received, or null when none arrived
 * @param error why the last attempt got no response, or, when the token was refused, why it was not
 *     renewed; else null
 * @param attempts attempts made in this run
 * @param reachedNothing true only when the entry has no attempt but this run's, and each of them
 *     failed before its request left the machine (the proxy, or the TLS handshake): nothing of this
 *     entry can have reached Edlink
 */
public record Delivery(
    Kind kind,
    Entry entry,
    RecordedResponse last,
    String error,
    int attempts,
    boolean reachedNothing) {
  /** An ending that says nothing of whether the request reached Edlink. */
  public Delivery(Kind kind, Entry entry, RecordedResponse last, String error, int attempts) {
    this(kind, entry, last, error, attempts, false);
  }

  /** The kinds of ending, each with its own exit code. */
  public enum Kind {
    /** 2xx: journaled as succeeded. */
    SUCCEEDED,
    /** A final 4xx: journaled as failed. */
    FAILED,
    /** 401, 403 or a token error: nothing was done, the entry stays pending. */
    CREDENTIALS_REFUSED,
    /** A retryable or 5xx status until the retries ran out: pending. */
    SERVER_ERROR,
    /** A 1xx or 3xx answer, which says nothing about the request: pending, not retried. */
    UNEXPECTED,
    /** No response until the retries ran out: pending. */
    NO_RESPONSE
  }
}
