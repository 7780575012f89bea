package dev.edlinkidem.cli.option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.config.FileLocks;
import dev.edlinkidem.config.UserClient;
import dev.edlinkidem.time.ManualTime;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The profile's lock: waited for no longer than the time allowed, and private. */
class ProfileTokenStoreTest {
  @TempDir Path tmp;

  private final ManualTime time = new ManualTime();

  private ProfileTokenStore store() {
    return new ProfileTokenStore(
        new UserClient("id", "secret", "refresh", null),
        tmp.resolve("clients/default"),
        tmp.resolve("locks/client-default"),
        time);
  }

  @Test
  void aLockHeldElsewhereIsWaitedForOnlyAsLongAsAllowed() throws Exception {
    try (Closeable other = FileLocks.tryExclusive(tmp.resolve("locks/client-default"))) {
      IOException e =
          assertThrows(IOException.class, () -> store().lock(Duration.ofSeconds(2)).close());
      assertTrue(e.getMessage().contains("still refreshing"), e.getMessage());
      assertTrue(
          time.sleeps().stream()
                  .reduce(Duration.ZERO, Duration::plus)
                  .compareTo(Duration.ofSeconds(2))
              <= 0,
          "waited no longer than allowed: " + time.sleeps().size() + " polls");
    }
  }

  @Test
  void aFreeLockIsTakenAtOnceAndItsFileIsPrivate() throws Exception {
    try (Closeable held = store().lock(Duration.ofSeconds(2))) {
      assertEquals(0, time.sleeps().size());
      assertEquals(
          "rw-------",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(tmp.resolve("locks/client-default"))));
      assertEquals(
          "rwx------",
          PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("locks"))));
    }
  }
}
