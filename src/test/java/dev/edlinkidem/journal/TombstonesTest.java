package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TombstonesTest {
  @TempDir Path dir;

  private static Tombstone stone(String key) {
    Instant end = Instant.parse("2026-12-01T08:00:00Z");
    return new Tombstone(key, "fp-" + key, end, end.plusSeconds(60));
  }

  @Test
  void aLineTornByACrashDoesNotSwallowTheNextTombstone() throws Exception {
    Layout layout = new Layout(dir);
    Tombstones stones = new Tombstones(layout);
    stones.append(List.of(stone("a")));
    // A crash part-way through the next append: half a record, no newline.
    Files.write(
        layout.tombstones(),
        "{\"v\":2,\"type\":\"tomb".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);
    stones.append(List.of(stone("b"), stone("c")));

    Tombstones fresh = new Tombstones(layout);
    assertEquals(List.of("a", "b", "c"), List.copyOf(fresh.all().keySet()));
    assertEquals(stone("b"), fresh.all().get("b"));
  }

  @Test
  void rewritingKeepsOnlyWhatItIsGiven() throws Exception {
    Layout layout = new Layout(dir);
    Tombstones stones = new Tombstones(layout);
    stones.append(List.of(stone("a"), stone("b")));
    stones.rewrite(List.of(stone("b")));
    assertEquals(List.of("b"), List.copyOf(new Tombstones(layout).all().keySet()));
  }

  @Test
  void aTombstoneFileThatIsALinkIsRefusedNotFollowed() throws Exception {
    Path elsewhere = Files.writeString(dir.resolve("elsewhere"), "keep\n");
    Path journal = Files.createDirectory(dir.resolve("j"));
    Files.createSymbolicLink(journal.resolve(Layout.TOMBSTONES), elsewhere);
    Tombstones stones = new Tombstones(new Layout(journal));
    org.junit.jupiter.api.Assertions.assertThrows(
        java.io.IOException.class, () -> stones.append(List.of(stone("a"))));
    assertEquals("keep\n", Files.readString(elsewhere));
  }

  @Test
  void aDamagedTombstoneStillRefusesItsKeyAndOneWithoutAKeyStopsNewKeys() throws Exception {
    Layout layout = new Layout(dir);
    Tombstones stones = new Tombstones(layout);
    stones.append(List.of(stone("a"), stone("b")));
    String text = Files.readString(layout.tombstones());
    Files.writeString(layout.tombstones(), text.replace("\"tombstone\"", "\"tombstonE\""));
    assertEquals(List.of("a", "b"), List.copyOf(new Tombstones(layout).all().keySet()));
    Files.writeString(layout.tombstones(), "{\"v\":2,\"ty#garbage\n" + text);
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.io.IOException.class, () -> new Tombstones(layout).all());
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("line 1 is damaged"));
  }
}
