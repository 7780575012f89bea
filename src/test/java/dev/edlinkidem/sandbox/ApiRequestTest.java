package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiRequestTest {
  @Test
  void decodesNamesAndValues() {
    assertEquals(
        Map.of("$idempotency", "a b/c", "$first", "2"),
        ApiRequest.parseQuery("%24idempotency=a%20b%2Fc&$first=2"));
  }

  @Test
  void theFirstOfRepeatedNamesWins() {
    assertEquals(
        "one", ApiRequest.parseQuery("$idempotency=one&$idempotency=two").get("$idempotency"));
  }

  @Test
  void anEmptyKeyIsNoKey() {
    ApiRequest request =
        new ApiRequest(
            "POST",
            "/api/v2/x",
            ApiRequest.parseQuery("$idempotency="),
            null,
            "",
            "http://h",
            "/api/v2/x?$idempotency=",
            ApiRequest.Client.UNKNOWN);
    assertNull(request.idempotencyKey());
  }

  @Test
  void toleratesOddQueries() {
    assertEquals(Map.of("a", "", "b", "%zz"), ApiRequest.parseQuery("a&&b=%zz"));
    assertEquals(Map.of(), ApiRequest.parseQuery(null));
  }
}
