package dev.edlinkidem.request;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordedResponseTest {
  @Test
  void headersKeepTheOrderTheyCameIn() {
    Map<String, List<String>> given = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String name = "x-header-" + (char) ('z' - i);
      given.put(name, List.of("v" + i));
      names.add(name);
    }
    RecordedResponse r = new RecordedResponse(200, given, new byte[0]);
    assertEquals(names, new ArrayList<>(r.headers().keySet()));
    // Written again from the response, as a merge writes an entry: the same order again.
    assertEquals(
        names,
        new ArrayList<>(new RecordedResponse(200, r.headers(), new byte[0]).headers().keySet()));
  }
}
