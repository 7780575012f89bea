package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import dev.edlinkidem.torture.AnswerServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB answer to a post, to the packaged jar in a JVM allowed 128 MiB of heap: the command
 * succeeds by the answer's status, keeps the first 8 MiB (the default --max-response), journals the
 * entry as succeeded with its length, and never runs out of memory. Before the cap the same answer
 * needed 2.6 GB and died after the creation with the entry pending.
 */
class HugeAnswerIT {
  private static final long GIB = 1L << 30;

  @TempDir Path tmp;

  @Test
  void aGibibyteAnswerSettlesTheEntryInABoundedHeap() throws Exception {
    try (AnswerServer server = new AnswerServer(200, GIB)) {
      Path journal = tmp.resolve("journal");
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx128m",
              "-jar",
              System.getProperty("edlinkidem.jar", "target/edlink-idem.jar"),
              "post",
              "/api/v2/graph/classes/9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73/assignments",
              "-d",
              "{\"title\":\"Big\"}",
              "-k",
              "huge-1",
              "--retries",
              "0");
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().keySet().removeIf(k -> k.startsWith("EDLINK"));
      pb.environment().put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
      pb.environment().put("EDLINK_TOKEN", "sk-huge-answer");
      pb.environment().put("EDLINK_IDEM_JOURNAL", journal.toString());
      pb.environment().put("EDLINK_BASE_URL", server.baseUrl());
      pb.redirectOutput(tmp.resolve("out").toFile());
      pb.redirectError(tmp.resolve("err").toFile());
      Process p = pb.start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the post ended");
      String err = Files.readString(tmp.resolve("err"));
      assertEquals(0, p.exitValue(), err);
      assertTrue(err.contains("only its beginning was read"), err);
      assertEquals(1, server.posts());
      assertEquals(8L << 20, Files.size(tmp.resolve("out")), "the kept beginning is printed");
      try (FileJournal j = FileJournal.open(journal)) {
        Entry e = j.find("huge-1").orElseThrow();
        assertEquals(EntryState.SUCCEEDED, e.state());
        assertEquals(8 << 20, e.outcome().response().body().length);
        assertTrue(e.outcome().response().truncated());
      }
      long journaled;
      try (Stream<Path> files = Files.walk(journal.resolve("entries"))) {
        journaled = files.filter(Files::isRegularFile).mapToLong(HugeAnswerIT::size).sum();
      }
      assertTrue(journaled < (9L << 20), "the entry holds the kept body once: " + journaled);
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
