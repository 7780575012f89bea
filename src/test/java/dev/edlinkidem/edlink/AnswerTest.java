package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What an answer says about its request: the one reading the retry loop and reconcile share. */
class AnswerTest {
  private static Answer of(int status, String body) {
    return Answer.of(status, Envelope.of(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static String error(String code) {
    return "{\"$errors\":[{\"code\":\"" + code + "\",\"message\":\"m\"}]}";
  }

  @Test
  void twoHundredsAreDone() {
    assertEquals(Answer.DONE, of(200, "{}"));
    assertEquals(Answer.DONE, of(201, ""));
  }

  @Test
  void aFinalClientErrorIsRejected() {
    for (int status : new int[] {400, 404, 410, 422}) {
      assertEquals(Answer.REJECTED, of(status, error("MISSING_REQUIRED_FIELD")), "" + status);
    }
  }

  @Test
  void aRefusedTokenIsNotARejectionOfTheRequest() {
    assertEquals(Answer.TOKEN_REFUSED, of(401, "{}"));
    assertEquals(Answer.TOKEN_REFUSED, of(403, "{}"));
    assertEquals(Answer.TOKEN_REFUSED, of(400, error("INVALID_TOKEN")));
    assertEquals(Answer.TOKEN_REFUSED, of(400, error("EXPIRED_TOKEN")));
  }

  @Test
  void serverErrorsAndTryLaterLeaveTheOutcomeUnknown() {
    for (int status : new int[] {408, 409, 425, 429, 500, 501, 502, 503, 504, 505}) {
      assertEquals(Answer.UNKNOWN_OUTCOME, of(status, "{}"), "" + status);
    }
  }

  @Test
  void informationAndRedirectsAreNoAnswer() {
    for (int status : new int[] {100, 301, 302, 307, 308}) {
      assertEquals(Answer.NOT_AN_ANSWER, of(status, ""), "" + status);
    }
  }
}
