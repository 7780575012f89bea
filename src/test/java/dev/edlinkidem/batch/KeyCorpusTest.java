package dev.edlinkidem.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.request.Destination;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Pairs of batch lines, kept as data in {@code keys/line-pairs.jsonl}: each pair's two lines, each
 * under its own base URL, derive one key when they mean the same request, two when they do not, and
 * are both refused when neither can be sent as written. Lines go the way a batch takes them: read
 * by {@link BatchFile}, joined to the base URL by {@link Destination}, keyed by {@link
 * BatchFile.Request#keyFor}.
 */
class KeyCorpusTest {
  @TestFactory
  Stream<DynamicTest> eachPairDerivesKeysByMeaning() throws IOException {
    List<String> pairs;
    try (InputStream in = KeyCorpusTest.class.getResourceAsStream("/keys/line-pairs.jsonl")) {
      pairs = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
    assertEquals(31, pairs.size(), "the corpus as written");
    return pairs.stream()
        .map(JsonParser::parseString)
        .map(p -> p.getAsJsonObject())
        .map(
            p ->
                DynamicTest.dynamicTest(
                    p.get("why").getAsString(),
                    () -> {
                      String expected = p.get("same").getAsString();
                      Object a = keyOf(p.getAsJsonObject("a"));
                      Object b = keyOf(p.getAsJsonObject("b"));
                      switch (expected) {
                        case "true" -> assertEquals(a, b);
                        case "false" -> {
                          assertInstanceOf(String.class, a);
                          assertInstanceOf(String.class, b);
                          assertNotEquals(a, b);
                        }
                        case "refused" -> {
                          assertInstanceOf(BatchFile.Malformed.class, a);
                          assertInstanceOf(BatchFile.Malformed.class, b);
                        }
                        default -> throw new AssertionError("no such expectation: " + expected);
                      }
                    }));
  }

  /** The line's key, or the line itself when the file refuses it. */
  private static Object keyOf(JsonObject side) throws IOException {
    URI base = Destination.baseUrl(side.get("base").getAsString());
    byte[] text = side.get("line").getAsString().getBytes(StandardCharsets.UTF_8);
    try (BatchFile file = new BatchFile(new ByteArrayInputStream(text))) {
      BatchFile.Line line = file.next();
      if (line instanceof BatchFile.Request r) {
        return r.keyFor(Destination.resolve(r.path(), base, List.of()));
      }
      return line;
    }
  }
}
