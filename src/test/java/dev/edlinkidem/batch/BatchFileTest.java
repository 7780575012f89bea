package dev.edlinkidem.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchFileTest {
  private static List<BatchFile.Line> read(byte[] bytes) throws Exception {
    List<BatchFile.Line> lines = new ArrayList<>();
    try (BatchFile file = new BatchFile(new ByteArrayInputStream(bytes))) {
      BatchFile.Line l;
      while ((l = file.next()) != null) {
        lines.add(l);
      }
    }
    return lines;
  }

  private static List<BatchFile.Line> read(String text) throws Exception {
    return read(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsRequestsWithTheirLineNumbersAndSkipsBlankLines() throws Exception {
    List<BatchFile.Line> lines =
        read(
            "{\"path\":\"/a\",\"body\":{\"b\":1,\"a\":[2,{\"z\":0,\"y\":1}]}}\r\n\n  \n"
                + "{\"path\":\"/b\",\"key\":\"k-1\"}");
    assertEquals(2, lines.size());
    BatchFile.Request first = (BatchFile.Request) lines.get(0);
    assertEquals(1, first.number());
    assertEquals("/a", first.path());
    assertEquals(
        "{\"a\":[2,{\"y\":1,\"z\":0}],\"b\":1}", new String(first.body(), StandardCharsets.UTF_8));
    assertNull(first.key());
    BatchFile.Request second = (BatchFile.Request) lines.get(1);
    assertEquals(4, second.number());
    assertEquals("k-1", second.key());
    assertEquals(0, second.body().length, "no body member: an empty body");
  }

  @Test
  void theSameRequestSpelledDifferentlyHasTheSameBytesAndKey() throws Exception {
    BatchFile.Request a =
        (BatchFile.Request)
            read("{\"path\":\"/a\",\"body\":{\"title\":\"\u00e9\",\"n\":1.50}}").get(0);
    BatchFile.Request b =
        (BatchFile.Request)
            read("{ \"body\" : { \"n\" : 1.50 , \"title\" : \"\\u00e9\" } , \"path\" : \"/a\" }")
                .get(0);
    assertArrayEquals(a.body(), b.body());
    String url = "https://ed.link/api/v2/graph/classes/c/assignments";
    assertEquals(
        BatchFile.Request.derivedKey(url, a.body()), BatchFile.Request.derivedKey(url, b.body()));
    assertNotEquals(
        BatchFile.Request.derivedKey(url, a.body()),
        BatchFile.Request.derivedKey(url + "x", a.body()),
        "another URL is another request");
    assertEquals(64, BatchFile.Request.derivedKey(url, a.body()).length());
  }

  @Test
  void aDerivedKeyIsTheFingerprintOfTheRequestAndKeepsTheSpellingEarlierRunsJournaled() {
    String url = "https://ed.link/api/v2/graph/classes/c-1/assignments";
    byte[] body = "{\"title\":\"Quiz \u00e9\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // printf 'POST\nURL\nBODY' | sha256sum: a file run before this version must name the same keys.
    assertEquals(
        "c43fe5bfa54ef61675a573a21febfd74704680161e4554ea41e24675631e1d37",
        BatchFile.Request.derivedKey(url, body));
    assertEquals(
        new dev.edlinkidem.request.JournaledRequest("POST", url, java.util.Map.of(), body)
            .fingerprint(),
        BatchFile.Request.derivedKey(url, body));
  }

  @Test
  void malformedLinesSayWhyAndTheReadingGoesOn() throws Exception {
    byte[] notUtf8 = {'{', '"', 'p', (byte) 0xff, '"', '}', '\n'};
    String rest =
        "nope\n{\"path\":\"/a\"} {}\n\"text\"\n{\"path\":7}\n{\"path\":\"/a\",\"key\":\"a b\"}\n"
            + "{\"path\":\"/a\",\"key\":5}\n{\"path\":\"/a\",\"headers\":{}}\n{\"path\":\"/a\"}\n";
    byte[] all = new byte[notUtf8.length + rest.length()];
    System.arraycopy(notUtf8, 0, all, 0, notUtf8.length);
    System.arraycopy(rest.getBytes(StandardCharsets.UTF_8), 0, all, notUtf8.length, rest.length());

    List<BatchFile.Line> lines = read(all);

    assertEquals(9, lines.size());
    String[] reasons = {
      "not UTF-8",
      "not valid JSON",
      "more than one JSON value",
      "not a JSON object",
      "\"path\" must be a string",
      "invalid key",
      "\"key\" must be a string",
      "unknown member \"headers\""
    };
    for (int i = 0; i < reasons.length; i++) {
      BatchFile.Malformed m = (BatchFile.Malformed) lines.get(i);
      assertEquals(i + 1, m.number());
      assertTrue(m.reason().contains(reasons[i]), i + 1 + ": " + m.reason());
    }
    assertEquals(9, lines.get(8).number());
    assertTrue(lines.get(8) instanceof BatchFile.Request);
  }

  @Test
  void aLineLongerThanEdlinkAcceptsIsMalformedAndTheNextLineIsRead() throws Exception {
    byte[] big = new byte[BatchFile.MAX_LINE_BYTES + 10];
    java.util.Arrays.fill(big, (byte) 'x');
    byte[] next = "\n{\"path\":\"/a\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[big.length + next.length];
    System.arraycopy(big, 0, all, 0, big.length);
    System.arraycopy(next, 0, all, big.length, next.length);

    List<BatchFile.Line> lines = read(all);

    assertTrue(((BatchFile.Malformed) lines.get(0)).reason().contains("longer than"));
    assertEquals(2, lines.get(1).number());
  }
}
