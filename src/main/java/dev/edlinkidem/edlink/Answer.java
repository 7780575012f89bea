package dev.edlinkidem.edlink;

import java.util.Set;

/**
 * What one answer from Edlink says about the request it answers: done, refused for good, refused
 * for its token, not known, or no verdict at all. Every place that reads an answer (the retry loop,
 * reconcile reading the request log) asks here.
 */
public enum Answer {
  /** 2xx: the request was carried out. */
  DONE,
  /** A final client error: carried out it was not, and asking again gets the same. */
  REJECTED,
  /** The credentials, not the request, were refused (401, 403, a token error): nothing was done. */
  TOKEN_REFUSED,
  /** A server error or a "try later" (408, 409, 425, 429): whether it was done is not known. */
  UNKNOWN_OUTCOME,
  /** 1xx or 3xx: no verdict on the request (redirects are never followed). */
  NOT_AN_ANSWER;

  /** Error codes that mean the credentials, not the request, were refused: nothing was done. */
  private static final Set<String> TOKEN_CODES = Set.of("INVALID_TOKEN", "EXPIRED_TOKEN");

  public static Answer of(int status, Envelope envelope) {
    if (status >= 200 && status < 300) {
      return DONE;
    }
    if (status == 401
        || status == 403
        || envelope.errors().stream().anyMatch(e -> TOKEN_CODES.contains(e.code()))) {
      return TOKEN_REFUSED;
    }
    if (status >= 400 && status < 500 && !RetryPolicy.isRetryable(status)) {
      return REJECTED;
    }
    if (status < 400) {
      return NOT_AN_ANSWER;
    }
    return UNKNOWN_OUTCOME;
  }
}
