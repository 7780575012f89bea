package dev.edlinkidem.cli;

/** The process exit codes of SPEC section 4; every command returns one of these. */
public final class ExitCode {
  public static final int OK = 0;
  public static final int INTERNAL = 1;
  public static final int USAGE = 2;
  public static final int REFUSED = 3;
  public static final int CLIENT_ERROR = 4;
  public static final int SERVER_ERROR = 5;
  public static final int NO_RESPONSE = 6;
  public static final int PENDING_EXPIRING = 7;
  public static final int INTERRUPTED = 130;

  private ExitCode() {}

  /**
   * Of two outcomes, the one a script should hear about: an internal error first, then the
   * numerically larger code (3 refused, 6 no response, 5 server error, 4 client error, 0 ok).
   */
  public static int mostSerious(int a, int b) {
    if (a == INTERNAL || b == INTERNAL) {
      return INTERNAL;
    }
    return Math.max(a, b);
  }
}
