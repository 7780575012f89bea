package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus (src/test/resources/bad-input/cases.jsonl): every case gets its documented
 * exit code, one line on stderr and no stack trace, sends nothing, and leaves the journal byte for
 * byte as it was.
 *
 * <p>A case is one JSON object per line: {@code name}, {@code args}, and optionally {@code stdin}
 * (text), {@code never} (a secret stderr must not show), {@code env} (a value of null unsets),
 * {@code files} (name to text, written under the test's directory), {@code setup} (a keyword
 * below), then {@code exit} and {@code stderr} (a fragment the line must contain), {@code lines}
 * (only where more than one line on stderr is documented, with the reason in {@code note}), and
 * {@code pending} (why the case is skipped for now). In args, env and files {@code ${TMP}}, {@code
 * ${PATH}}, {@code ${ESSAY}}, {@code ${BASE}}, {@code ${BASE_USERINFO}} (the base URL with a user
 * name and password) and {@code ${repeat:N:C}} are replaced.
 */
class BadInputCorpusTest extends SandboxCase {
  private static final String CASES = "/bad-input/cases.jsonl";
  private static final long OVER_32_MB = 32L * 1024 * 1024 + 1024;
  private static final Pattern PLACEHOLDER =
      Pattern.compile("\\$\\{(TMP|PATH|ESSAY|BASE_USERINFO|BASE|repeat:(\\d+):(.))}");

  private int requestsBefore;
  private Map<String, byte[]> journalBefore;

  /** One line of the corpus. */
  record Case(String name, JsonObject json) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> cases = new ArrayList<>();
    try (InputStream in = BadInputCorpusTest.class.getResourceAsStream(CASES)) {
      if (in == null) {
        throw new IOException("missing test resource " + CASES);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int number = 0;
      for (String line : text.split("\n")) {
        number++;
        if (line.isBlank() || line.startsWith("//")) {
          continue;
        }
        JsonObject json;
        try {
          json = JsonParser.parseString(line).getAsJsonObject();
        } catch (RuntimeException e) {
          throw new IOException(CASES + " line " + number + ": " + e.getMessage(), e);
        }
        cases.add(Arguments.of(new Case(json.get("name").getAsString(), json)));
      }
    }
    return cases.stream();
  }

  // One real post, so that "the journal is unchanged" compares something and the baseline counts a
  // request.
  @BeforeEach
  void seedJournal() throws Exception {
    Cli.Result seeded = cli().run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "existing");
    assertEquals(0, seeded.code(), seeded.toString());
    requestsBefore = stat("requests");
    assertEquals(1, requestsBefore, "the seed post is the one request before each case");
    journalBefore = journalFiles();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void refusedCleanly(Case c) throws Exception {
    JsonObject json = c.json();
    if (json.has("pending")) {
      Assumptions.abort("pending: " + json.get("pending").getAsString());
    }
    Cli cli = cli();
    if (json.has("stdin")) {
      cli.stdin(expand(json.get("stdin").getAsString()));
    }
    if (json.has("files")) {
      for (Map.Entry<String, JsonElement> f : json.getAsJsonObject("files").entrySet()) {
        Path file = tmp.resolve(f.getKey());
        Files.createDirectories(file.getParent());
        Files.writeString(file, expand(f.getValue().getAsString()));
      }
    }
    if (json.has("setup")) {
      setup(json.get("setup").getAsString(), cli);
    }
    if (json.has("env")) {
      for (Map.Entry<String, JsonElement> e : json.getAsJsonObject("env").entrySet()) {
        cli.env(e.getKey(), e.getValue().isJsonNull() ? null : expand(e.getValue().getAsString()));
      }
    }
    List<String> args = new ArrayList<>();
    for (JsonElement a : json.getAsJsonArray("args")) {
      args.add(expand(a.getAsString()));
    }

    Cli.Result r = cli.run(args.toArray(String[]::new));

    String what = c.name() + ": " + String.join(" ", abbreviated(args)) + "\n" + r;
    assertEquals(json.get("exit").getAsInt(), r.code(), "exit code of " + what);
    String err = r.err().endsWith("\n") ? r.err().substring(0, r.err().length() - 1) : r.err();
    int lines = json.has("lines") ? json.get("lines").getAsInt() : 1;
    assertFalse(err.isEmpty(), "a line on stderr: " + what);
    assertEquals(lines, err.split("\n", -1).length, "lines on stderr: " + what);
    for (String line : err.split("\n", -1)) {
      assertTrue(line.startsWith("edlink-idem:"), "each line starts with 'edlink-idem:': " + what);
    }
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + what);
    assertTrue(
        err.contains(json.get("stderr").getAsString()),
        "stderr contains '" + json.get("stderr").getAsString() + "': " + what);
    if (json.has("never")) {
      String secret = json.get("never").getAsString();
      assertFalse(err.contains(secret), "stderr never shows '" + secret + "': " + what);
    }
    assertEquals("", r.out(), "nothing on stdout: " + what);
    assertEquals(requestsBefore, stat("requests"), "nothing sent: " + what);
    assertJournalUnchanged(what);
  }

  private void setup(String keyword, Cli cli) throws IOException {
    switch (keyword) {
      case "journal-is-a-file" ->
          Files.writeString(tmp.resolve("journal-file"), "not a directory\n");
      case "unwritable-journal" -> {
        Path dir = Files.createDirectories(tmp.resolve("read-only-journal"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        Path probe = dir.resolve("probe");
        boolean rootIgnoresModes;
        try {
          Files.createFile(probe);
          Files.delete(probe);
          rootIgnoresModes = true;
        } catch (IOException expected) {
          rootIgnoresModes = false;
        }
        Assumptions.assumeFalse(
            rootIgnoresModes,
            "a directory of mode 0500 is still writable here (running as root?): an unwritable"
                + " journal cannot be made");
      }
      case "garbage-config" -> {
        Path config =
            Files.createDirectories(tmp.resolve("xdg-config/edlink-idem")).resolve("config");
        Files.write(
            config,
            new byte[] {
              '[', '[', 0, (byte) 0xff, '=', '=', '\n', 'n', 'o', ' ', 's', 'e', 'n', 's', 'e', '\n'
            });
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        cli.env("XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
      }
      case "garbage-config-text" -> {
        Path config =
            Files.createDirectories(tmp.resolve("xdg-config/edlink-idem")).resolve("config");
        Files.writeString(config, "[[default\n=== no sense\ntoken-file\n[unclosed\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));
        cli.env("XDG_CONFIG_HOME", tmp.resolve("xdg-config").toString());
      }
      case "body-over-32mb" -> writeBigBody(tmp.resolve("big.json"));
      case "body-over-32mb-stdin" -> {
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        writeBigBody(big);
        cli.stdin(big.toByteArray());
      }
      case "deep-json" -> Files.writeString(tmp.resolve("deep.json"), "[".repeat(200_000));
      case "at-directory" -> Files.createDirectories(tmp.resolve("a-directory"));
      case "binary-stdin" ->
          cli.stdin(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80, '{', '}'});
      default -> throw new IllegalArgumentException("unknown setup keyword: " + keyword);
    }
  }

  // Valid JSON just over Edlink's 32 MB limit, written on the spot: it is too big to keep in git.
  private static void writeBigBody(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      writeBigBody(out);
    }
  }

  private static void writeBigBody(OutputStream out) throws IOException {
    byte[] chunk = "x".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
    out.write("{\"title\":\"".getBytes(StandardCharsets.US_ASCII));
    for (long written = 0; written < OVER_32_MB; written += chunk.length) {
      out.write(chunk);
    }
    out.write("\"}".getBytes(StandardCharsets.US_ASCII));
  }

  private String expand(String text) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          switch (m.group(1)) {
            case "TMP" -> tmp.toString();
            case "PATH" -> ASSIGNMENTS;
            case "ESSAY" -> ESSAY;
            case "BASE" -> sandbox.baseUrl().toString().replaceAll("/$", "");
            case "BASE_USERINFO" ->
                sandbox
                    .baseUrl()
                    .toString()
                    .replaceAll("/$", "")
                    .replace("http://", "http://user:pw@");
            default -> m.group(3).repeat(Integer.parseInt(m.group(2)));
          };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static List<String> abbreviated(List<String> args) {
    return args.stream()
        .map(a -> a.length() > 80 ? a.substring(0, 40) + "…(" + a.length() + " chars)" : a)
        .toList();
  }

  /** Every file under the journal directory, by relative path. */
  private Map<String, byte[]> journalFiles() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(journalDir())) {
      for (Path f : all.filter(Files::isRegularFile).sorted().toList()) {
        files.put(journalDir().relativize(f).toString(), Files.readAllBytes(f));
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return files;
  }

  private void assertJournalUnchanged(String what) throws IOException {
    Map<String, byte[]> after = journalFiles();
    assertEquals(journalBefore.keySet(), after.keySet(), "the journal's files: " + what);
    for (Map.Entry<String, byte[]> f : journalBefore.entrySet()) {
      assertTrue(
          java.util.Arrays.equals(f.getValue(), after.get(f.getKey())),
          "journal file " + f.getKey() + " unchanged: " + what);
    }
  }
}
