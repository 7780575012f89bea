package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.journal.Journal;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.torture.Hostile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile merge corpus (src/test/resources/hostile-merge/cases.jsonl): entries a crafted or
 * edited export may hold, each with its fingerprint recomputed as an attacker would. Not one is
 * merged, and not one is sent with the token: merge refuses it (exit 3) and names why; the same
 * entry put into the journal by hand is refused by replay and by a routine replay of the journal.
 *
 * <p>A case is one JSON object per line: {@code name}, the request's {@code method}, {@code url}
 * and {@code headers}, and {@code why}, a fragment of the refusal. In the URL {@code ${BASE}} is
 * the sandbox and {@code ${PATH}} an assignments path.
 */
class HostileMergeTest extends SandboxCase {
  private static final String CASES = "/hostile-merge/cases.jsonl";

  record Case(String name, JsonObject json) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Case> cases() throws IOException {
    try (InputStream in = HostileMergeTest.class.getResourceAsStream(CASES)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isBlank())
              .map(l -> JsonParser.parseString(l).getAsJsonObject())
              .map(o -> new Case(o.get("name").getAsString(), o))
              .toList()
              .stream();
    }
  }

  private JournaledRequest request(Case c) {
    Map<String, String> headers = new LinkedHashMap<>();
    c.json()
        .getAsJsonObject("headers")
        .entrySet()
        .forEach(h -> headers.put(h.getKey(), h.getValue().getAsString()));
    String url =
        c.json()
            .get("url")
            .getAsString()
            .replace("${BASE}", sandbox.baseUrl().toString().replaceAll("/$", ""))
            .replace("${PATH}", ASSIGNMENTS);
    return new JournaledRequest(
        c.json().get("method").getAsString(), url, headers, ESSAY.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aHostileEntryIsNeitherMergedNorSent(Case c) throws Exception {
    String key = "hostile-" + c.name();
    String why = c.json().get("why").getAsString();
    JournaledRequest crafted = request(c);
    Path export = tmp.resolve(c.name() + ".jsonl");
    Files.writeString(export, Hostile.exportLine(key, crafted) + "\n");

    Cli.Result merged = cli().run("journal", "merge", export.toString());
    assertEquals(3, merged.code(), merged.toString());
    assertTrue(merged.err().contains("not a request edlink-idem sends"), merged.err());
    assertTrue(merged.err().contains(why), merged.err());
    assertTrue(entries().stream().noneMatch(e -> e.key().equals(key)), "not merged");

    // The same entry written into the journal by hand (or by an older, laxer merge).
    try (FileJournal journal = FileJournal.open(journalDir());
        Journal.Lease lease = journal.lease(key)) {
      lease.begin(crafted, Instant.now());
    }
    Cli.Result one = cli().run("replay", key);
    assertEquals(3, one.code(), one.toString());
    assertTrue(one.err().contains("refusing to send " + key), one.err());
    assertTrue(one.err().contains(why), one.err());
    Cli.Result all = cli().run("replay", "--all-pending", "--yes");
    assertEquals(3, all.code(), all.toString());
    Cli.Result post = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", key);
    assertEquals(3, post.code(), post.toString());
    assertFalse(post.err().contains("succeeded"), post.err());
    assertEquals(0, stat("requests"), "nothing reached Edlink: " + log);
  }

  @org.junit.jupiter.api.Test
  void theCorpusCoversEveryRule() throws Exception {
    List<String> names = cases().map(Case::name).toList();
    for (String needed :
        List.of(
            "delete-method",
            "method-override-header",
            "idempotency-percent-encoded",
            "plain-http-elsewhere",
            "authorization-header")) {
      assertTrue(names.contains(needed), needed + " in " + names);
    }
  }
}
