package dev.edlinkidem.edlink;

import java.time.Duration;

/**
 * The bearer token requests are sent with, and, for a user token, a new one once it is refused.
 * Integration tokens never expire and have nothing to renew; user tokens expire after an hour.
 */
public interface Bearer {
  /**
   * A renewal: the token to send now, or why there is none.
   *
   * @param token the new token, or null
   * @param whyNot why there is no new token, or null when none was to be had (nothing configured)
   * @param unanswered whether the refresh got no answer (the endpoint, or the way to it, was
   *     silent), rather than a refusal
   */
  record Renewal(String token, String whyNot, boolean unanswered) {
    public static final Renewal NONE = new Renewal(null, null, false);

    public Renewal(String token, String whyNot) {
      this(token, whyNot, false);
    }

    public static Renewal failed(String why) {
      return new Renewal(null, why, false);
    }

    /** No token, since the refresh got no answer. */
    public static Renewal unanswered(String why) {
      return new Renewal(null, why, true);
    }
  }

  /** The token to send. */
  String token();

  /**
   * Called when {@code refused} was refused on the User API: a token to send instead, got within
   * {@code atMost}. Called by several senders at once, it renews once and gives each the same new
   * token.
   */
  Renewal renew(String refused, Duration atMost) throws InterruptedException;

  /** A token that is what it is: an integration token, or a user token with nothing to renew it. */
  static Bearer fixed(String token) {
    return new Bearer() {
      @Override
      public String token() {
        return token;
      }

      @Override
      public Renewal renew(String refused, Duration atMost) {
        return Renewal.NONE;
      }
    };
  }
}
