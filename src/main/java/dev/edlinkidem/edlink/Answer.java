package dev.edlinkidem.edlink;

import dev.edlinkidem.request.RecordedResponse;
import java.util.List;
import java.util.Set;

/**
 * What one answer from Edlink says about the request it answers: done, refused for good, refused
 * for its token, not known, or no verdict at all. Every place that reads an answer (the retry loop,
 * reconcile reading the request log) asks here.
 *
 * <p>Edlink's error list gives status 400 for every code and its errors guide says 500, so a
 * documented {@code $errors} code decides; the status decides only when there is none.
 */
public enum Answer {
  /** 2xx: the request was carried out. */
  DONE,
  /** A final client error: carried out it was not, and asking again gets the same. */
  REJECTED,
  /** The credentials, not the request, were refused: nothing was done. */
  TOKEN_REFUSED,
  /**
   * Edlink's own failure ({@code INTERNAL}, {@code UNKNOWN}), a server error or a "try later" (408,
   * 409, 425, 429): whether it was done is not known.
   */
  UNKNOWN_OUTCOME,
  /** 1xx or 3xx: no verdict on the request (redirects are never followed). */
  NOT_AN_ANSWER;

  /**
   * Codes for a condition on Edlink's side that kept it from finishing: an upstream LMS may have
   * acted.
   */
  public static final Set<String> EDLINK_FAILURE_CODES = Set.of("INTERNAL", "UNKNOWN");

  /** Codes that mean the credentials, not the request, were refused: nothing was done. */
  public static final Set<String> TOKEN_CODES =
      Set.of(
          "INVALID_TOKEN",
          "EXPIRED_TOKEN",
          "UNSHARED_TOKEN",
          "INVALID_PROVIDER_TOKEN",
          "INVALID_INTEGRATION_STATE",
          "UNKNOWN_PROVIDER");

  /** The other codes of Edlink's error list: each is a verdict on the request itself. */
  public static final Set<String> REQUEST_CODES =
      Set.of(
          "INVALID_UUID",
          "UNSUPPORTED_OPERATION",
          "NOT_FOUND",
          "NO_PERMISSION",
          "IDEMPOTENCY_KEY_TOO_LONG",
          "INVALID_CURSOR",
          "INVALID_PAGE_SIZE",
          "ENTITY_NOT_PRESENT_IN_SOURCE",
          "INVALID_SUBMISSION_TYPE",
          "MISSING_REQUIRED_FIELD",
          "INVALID_ASSIGNEES");

  /**
   * What a response says. A body cut at the cap hides an error's codes, and one of them may be
   * {@code INTERNAL}: such an error is of unknown outcome, never a final refusal.
   */
  public static Answer of(RecordedResponse response, Envelope envelope) {
    Answer answer = of(response.status(), envelope);
    return response.truncated() && answer != DONE && answer != NOT_AN_ANSWER
        ? UNKNOWN_OUTCOME
        : answer;
  }

  public static Answer of(int status, Envelope envelope) {
    if (status >= 200 && status < 300) {
      return DONE;
    }
    if (status < 200 || status >= 300 && status < 400) {
      return NOT_AN_ANSWER;
    }
    // Of several documented codes, the reading that cannot lead to a second effect wins.
    List<String> codes = envelope.errors().stream().map(Envelope.Notice::code).toList();
    if (codes.stream().anyMatch(EDLINK_FAILURE_CODES::contains)) {
      return UNKNOWN_OUTCOME;
    }
    if (codes.stream().anyMatch(TOKEN_CODES::contains)) {
      return TOKEN_REFUSED;
    }
    if (codes.stream().anyMatch(REQUEST_CODES::contains)) {
      return REJECTED;
    }
    if (status == 401 || status == 403) {
      return TOKEN_REFUSED;
    }
    if (status >= 400 && status < 500 && !RetryPolicy.isRetryable(status)) {
      return REJECTED;
    }
    return UNKNOWN_OUTCOME;
  }

  /**
   * Whether an answer of unknown outcome is worth asking again with the same key: Edlink's own
   * failures and the statuses that say "later" are; a 501 or a 505 is not.
   */
  public static boolean worthAskingAgain(int status, Envelope envelope) {
    return edlinkFailure(envelope) || RetryPolicy.isRetryable(status);
  }

  /** Whether the answer carries {@code INTERNAL} or {@code UNKNOWN}. */
  public static boolean edlinkFailure(Envelope envelope) {
    return envelope.errors().stream().anyMatch(e -> EDLINK_FAILURE_CODES.contains(e.code()));
  }
}
