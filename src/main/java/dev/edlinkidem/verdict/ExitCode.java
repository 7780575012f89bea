package dev.edlinkidem.verdict;

import java.util.List;

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
   * Most serious first: what a script should hear about when several keys or lines ended
   * differently. A refusal needs a person and outranks work that only needs another run.
   */
  private static final List<Integer> SERIOUSNESS =
      List.of(
          INTERNAL,
          INTERRUPTED,
          REFUSED,
          NO_RESPONSE,
          SERVER_ERROR,
          CLIENT_ERROR,
          USAGE,
          PENDING_EXPIRING,
          OK);

  /**
   * Of two outcomes, the one a script should hear about: 1 internal, 130 interrupted, 3 refused, 6
   * no response, 5 server error, 4 client error, 2 bad input, 7, then 0 ok.
   */
  public static int mostSerious(int a, int b) {
    return rank(a) <= rank(b) ? a : b;
  }

  private static int rank(int code) {
    int rank = SERIOUSNESS.indexOf(code);
    if (rank < 0) {
      throw new IllegalArgumentException("not an exit code of the tool: " + code);
    }
    return rank;
  }
}
