package dev.edlinkidem.journal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Absent is said only of a name that is not there: never of one that cannot be reached. */
class DiskTest {
  @TempDir Path tmp;

  @Test
  void nothingIsAtANameThatIsNotThere() throws Exception {
    assertTrue(Disk.nothingAt(tmp.resolve("absent")));
  }

  @Test
  void aFileADirectoryAndEveryKindOfLinkAreSomething() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertFalse(Disk.nothingAt(file));
    assertFalse(Disk.nothingAt(Files.createDirectory(tmp.resolve("d"))));
    assertFalse(Disk.nothingAt(Files.createSymbolicLink(tmp.resolve("to-f"), file)));
    assertFalse(
        Disk.nothingAt(Files.createSymbolicLink(tmp.resolve("to-nothing"), tmp.resolve("absent"))));
    Path loop = tmp.resolve("loop");
    assertFalse(Disk.nothingAt(Files.createSymbolicLink(loop, loop.getFileName())));
  }

  @Test
  void aNameThatCannotBeReachedIsAnErrorNotAbsent() throws Exception {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThrows(IOException.class, () -> Disk.nothingAt(file.resolve("below-a-file")));
  }
}
