package dev.edlinkidem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JournaledRequestTest {
  @Test
  void headersKeepTheOrderTheyWereGivenIn() {
    Map<String, String> given = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String name = "X-Header-" + (char) ('A' + (i * 7) % 20);
      given.put(name, "v" + i);
      names.add(name);
    }
    JournaledRequest request =
        new JournaledRequest("POST", "https://ed.link/x", given, new byte[0]);
    assertEquals(names, List.copyOf(request.headers().keySet()));
    assertEquals(
        List.of("Accept", "Content-Type"),
        List.copyOf(
            JournaledRequest.post("https://ed.link/x", new byte[] {'{', '}'}).headers().keySet()));
  }

  @Test
  void headersAreAValueNeitherChangedNorNull() {
    Map<String, String> given = new HashMap<>(Map.of("Accept", "application/json"));
    JournaledRequest request =
        new JournaledRequest("POST", "https://ed.link/x", given, new byte[0]);
    given.put("Other", "x");
    assertEquals(Map.of("Accept", "application/json"), request.headers());
    assertThrows(UnsupportedOperationException.class, () -> request.headers().put("A", "b"));
    Map<String, String> withNull = new HashMap<>();
    withNull.put("Accept", null);
    assertThrows(
        NullPointerException.class,
        () -> new JournaledRequest("POST", "https://ed.link/x", withNull, new byte[0]));
  }
}
