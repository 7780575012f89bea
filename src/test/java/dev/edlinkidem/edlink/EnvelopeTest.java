package dev.edlinkidem.edlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What Edlink says around the data, in either of the shapes its docs show. */
class EnvelopeTest {
  private static Envelope of(String body) {
    return Envelope.of(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aNoticeTextIsItsMessageOrItsDescription() {
    Envelope e =
        of(
            "{\"$data\":{},\"$request\":\"r1\",\"$warnings\":["
                + "{\"code\":\"IDEMPOTENCY_KEY_REPEATED\",\"description\":\"used before\"},"
                + "{\"code\":\"PAGING_IGNORED\",\"message\":\"no paging here\"},"
                + "{\"code\":\"FOUND_UNEXPECTED_FIELD\",\"message\":\"m\",\"description\":\"d\"},"
                + "{\"code\":\"DATETIME_MISSING_TIMEZONE\"}]}");
    assertEquals("r1", e.requestId());
    assertEquals(
        List.of(
            "IDEMPOTENCY_KEY_REPEATED: used before",
            "PAGING_IGNORED: no paging here",
            "FOUND_UNEXPECTED_FIELD: m",
            "DATETIME_MISSING_TIMEZONE"),
        e.warnings().stream().map(Envelope.Notice::toString).toList());
  }

  @Test
  void errorsReadTheSameWay() {
    Envelope e = of("{\"$errors\":[{\"code\":\"INTERNAL\",\"description\":\"upstream\"}]}");
    assertEquals("INTERNAL: upstream", e.errorLine());
  }
}
