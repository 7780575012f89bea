package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3's table, row by row: what an answer says about its request, the one reading the
 * retry loop and reconcile share.
 */
class AnswerTest {
  private static Answer of(int status, String body) {
    return Answer.of(status, envelope(body));
  }

  private static Envelope envelope(String body) {
    return Envelope.of(body.getBytes(StandardCharsets.UTF_8));
  }

  private static String error(String... codes) {
    StringBuilder b = new StringBuilder("{\"$errors\":[");
    for (int i = 0; i < codes.length; i++) {
      b.append(i == 0 ? "" : ",").append("{\"code\":\"").append(codes[i]).append("\"}");
    }
    return b.append("]}").toString();
  }

  /** Edlink's error list, each code with what it says about the request. */
  private static final Map<String, Answer> DOCUMENTED =
      Map.ofEntries(
          Map.entry("UNKNOWN", Answer.UNKNOWN_OUTCOME),
          Map.entry("INTERNAL", Answer.UNKNOWN_OUTCOME),
          Map.entry("UNKNOWN_PROVIDER", Answer.TOKEN_REFUSED),
          Map.entry("INVALID_TOKEN", Answer.TOKEN_REFUSED),
          Map.entry("EXPIRED_TOKEN", Answer.TOKEN_REFUSED),
          Map.entry("UNSHARED_TOKEN", Answer.TOKEN_REFUSED),
          Map.entry("INVALID_PROVIDER_TOKEN", Answer.TOKEN_REFUSED),
          Map.entry("INVALID_INTEGRATION_STATE", Answer.TOKEN_REFUSED),
          Map.entry("INVALID_UUID", Answer.REJECTED),
          Map.entry("UNSUPPORTED_OPERATION", Answer.REJECTED),
          Map.entry("NOT_FOUND", Answer.REJECTED),
          Map.entry("NO_PERMISSION", Answer.REJECTED),
          Map.entry("IDEMPOTENCY_KEY_TOO_LONG", Answer.REJECTED),
          Map.entry("INVALID_CURSOR", Answer.REJECTED),
          Map.entry("INVALID_PAGE_SIZE", Answer.REJECTED),
          Map.entry("ENTITY_NOT_PRESENT_IN_SOURCE", Answer.REJECTED),
          Map.entry("INVALID_SUBMISSION_TYPE", Answer.REJECTED),
          Map.entry("MISSING_REQUIRED_FIELD", Answer.REJECTED),
          Map.entry("INVALID_ASSIGNEES", Answer.REJECTED));

  @Test
  void aDocumentedCodeDecidesWhateverTheStatus() {
    for (Map.Entry<String, Answer> code : DOCUMENTED.entrySet()) {
      for (int status : new int[] {400, 401, 500}) {
        assertEquals(
            code.getValue(), of(status, error(code.getKey())), status + " " + code.getKey());
      }
    }
  }

  @Test
  void theTableKnowsEveryDocumentedCode() {
    int known =
        Answer.EDLINK_FAILURE_CODES.size()
            + Answer.TOKEN_CODES.size()
            + Answer.REQUEST_CODES.size();
    assertEquals(DOCUMENTED.size(), known);
  }

  @Test
  void withoutADocumentedCodeTheStatusDecides() {
    for (String body : new String[] {"{}", "", error("SOMETHING_NEW"), "not json"}) {
      assertEquals(Answer.TOKEN_REFUSED, of(401, body), body);
      assertEquals(Answer.TOKEN_REFUSED, of(403, body), body);
      for (int status : new int[] {400, 404, 410, 422}) {
        assertEquals(Answer.REJECTED, of(status, body), status + " " + body);
      }
      for (int status : new int[] {408, 409, 425, 429, 500, 501, 502, 503, 504, 505}) {
        assertEquals(Answer.UNKNOWN_OUTCOME, of(status, body), status + " " + body);
      }
    }
  }

  @Test
  void ofSeveralCodesTheOneThatCannotDuplicateWins() {
    assertEquals(Answer.UNKNOWN_OUTCOME, of(400, error("MISSING_REQUIRED_FIELD", "INTERNAL")));
    assertEquals(Answer.TOKEN_REFUSED, of(400, error("NOT_FOUND", "EXPIRED_TOKEN")));
    assertEquals(Answer.UNKNOWN_OUTCOME, of(401, error("EXPIRED_TOKEN", "UNKNOWN")));
  }

  @Test
  void twoHundredsAreDone() {
    assertEquals(Answer.DONE, of(200, "{}"));
    assertEquals(Answer.DONE, of(201, ""));
  }

  @Test
  void informationAndRedirectsAreNoAnswer() {
    for (int status : new int[] {100, 301, 302, 307, 308}) {
      assertEquals(Answer.NOT_AN_ANSWER, of(status, error("INTERNAL")), "" + status);
    }
  }

  @Test
  void edlinksOwnFailuresAreAskedAgainButA501IsNot() {
    assertTrue(Answer.worthAskingAgain(400, envelope(error("INTERNAL"))));
    assertTrue(Answer.worthAskingAgain(500, envelope(error("UNKNOWN"))));
    assertTrue(Answer.worthAskingAgain(503, envelope("{}")));
    assertTrue(Answer.worthAskingAgain(429, envelope("")));
    assertFalse(Answer.worthAskingAgain(501, envelope("{}")));
    assertFalse(Answer.worthAskingAgain(505, envelope(error("SOMETHING_NEW"))));
  }
}
