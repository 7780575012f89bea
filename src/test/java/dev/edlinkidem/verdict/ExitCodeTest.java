package dev.edlinkidem.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of two exit codes a script hears about, in the order ExitCode documents. */
class ExitCodeTest {
  /** Most serious first. */
  private static final List<Integer> ORDER =
      List.of(
          ExitCode.INTERNAL,
          ExitCode.INTERRUPTED,
          ExitCode.REFUSED,
          ExitCode.NO_RESPONSE,
          ExitCode.SERVER_ERROR,
          ExitCode.CLIENT_ERROR,
          ExitCode.USAGE,
          ExitCode.PENDING_EXPIRING,
          ExitCode.OK);

  @Test
  void theMoreSeriousOfEveryPairWinsWhicheverComesFirst() {
    for (int i = 0; i < ORDER.size(); i++) {
      for (int j = i; j < ORDER.size(); j++) {
        int serious = ORDER.get(i);
        int lesser = ORDER.get(j);
        assertEquals(serious, ExitCode.mostSerious(serious, lesser), serious + " over " + lesser);
        assertEquals(serious, ExitCode.mostSerious(lesser, serious), serious + " over " + lesser);
      }
    }
  }

  @Test
  void aRefusalOutranksLinesLeftPending() {
    // A key refused for safety needs a person; a pending line only needs the batch run again.
    assertEquals(ExitCode.REFUSED, ExitCode.mostSerious(ExitCode.REFUSED, ExitCode.NO_RESPONSE));
    assertEquals(ExitCode.REFUSED, ExitCode.mostSerious(ExitCode.SERVER_ERROR, ExitCode.REFUSED));
  }
}
