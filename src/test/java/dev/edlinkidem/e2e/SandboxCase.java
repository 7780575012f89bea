package dev.edlinkidem.e2e;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** An end-to-end test: the real command line against a real sandbox, with a private journal. */
public abstract class SandboxCase {
  public static final String TOKEN = "sk-test-4f9c2a71-never-on-disk";
  public static final String ASSIGNMENTS =
      "/api/v2/graph/classes/5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15/assignments";
  public static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"Chapter"
          + " 3\",\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";

  @TempDir protected Path tmp;

  protected SandboxServer sandbox;
  protected final List<String> log = new CopyOnWriteArrayList<>();

  /** Called with each sandbox log line; tests use it to change faults after the first request. */
  protected volatile Consumer<String> onRequest = line -> {};

  @BeforeEach
  void startSandbox() throws Exception {
    sandbox =
        SandboxServer.start(
            "127.0.0.1",
            0,
            null,
            Faults.NONE,
            42,
            line -> {
              log.add(line);
              onRequest.accept(line);
            });
  }

  @AfterEach
  void stopSandbox() {
    sandbox.close();
  }

  protected Path journalDir() {
    return tmp.resolve("journal");
  }

  protected Cli cli() {
    return new Cli()
        .env("EDLINK_TOKEN", TOKEN)
        .env("EDLINK_BASE_URL", sandbox.baseUrl().toString())
        .env("EDLINK_IDEM_JOURNAL", journalDir().toString())
        .env("HOME", tmp.toString());
  }

  protected int stat(String name) {
    return sandbox.stats().get(name).getAsInt();
  }

  /** Faults for the first request only, then none. */
  protected void faultOnce(Faults faults) {
    sandbox.setFaults(faults);
    onRequest =
        line -> {
          sandbox.setFaults(Faults.NONE);
          onRequest = l -> {};
        };
  }

  protected static Faults faults(
      double dropAfter, double dropBefore, double error, double throttle, Duration latency) {
    return new Faults(dropAfter, dropBefore, error, throttle, latency);
  }

  protected Entry entry(String key) throws Exception {
    try (FileJournal journal = FileJournal.open(journalDir())) {
      return journal.find(key).orElseThrow(() -> new AssertionError("no entry for " + key));
    }
  }

  protected List<Entry> entries() throws Exception {
    try (FileJournal journal = FileJournal.open(journalDir())) {
      return journal.entries();
    }
  }

  /**
   * Every record file of the journal, name and content, in path order: equal means no record
   * changed.
   */
  protected byte[] journalBytes() throws Exception {
    Path entries = journalDir().resolve("entries");
    if (!Files.isDirectory(entries)) {
      return new byte[0];
    }
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    try (var files = Files.walk(entries)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        all.writeBytes(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        all.writeBytes(Files.readAllBytes(f));
      }
    }
    return all.toByteArray();
  }

  protected static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }
}
