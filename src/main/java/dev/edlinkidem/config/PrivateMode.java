package dev.edlinkidem.config;

import dev.edlinkidem.fs.Ownership;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Closes to others a journal directory, configuration or stored token that a user left open. */
public final class PrivateMode {
  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));

  private PrivateMode() {}

  /**
   * Sets {@code path} to {@code mode} ("rwx------" or "rw-------") when group or others hold any
   * permission on it, and says so in one warning line; a missing path, or one of the wrong kind (a
   * file where the journal directory should be), is left alone for the command to report. A
   * directory that is not the user's alone is refused (exit 2), never changed.
   *
   * @param warn told the one-line warning, without the tool's name
   */
  public static void close(Path path, String mode, Consumer<String> warn) {
    boolean directory = mode.startsWith("rwx");
    if (directory ? !Files.isDirectory(path) : !Files.isRegularFile(path)) {
      return; // missing, or not what it should be (a journal that is a file): the command says so
    }
    if (directory) {
      refuseShared(path);
    }
    Set<PosixFilePermission> now;
    try {
      now = Files.getPosixFilePermissions(path);
    } catch (IOException | UnsupportedOperationException e) {
      return; // missing, or a file system without modes: the journal reports what it cannot use
    }
    if (now.stream().noneMatch(OTHERS::contains)) {
      return;
    }
    String octal = directory ? "0700" : "0600";
    String outcome;
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
      outcome = "closed it to mode " + octal;
    } catch (IOException e) {
      outcome =
          "could not close it ("
              + e.getMessage()
              + "); run chmod "
              + octal.substring(1)
              + " "
              + path;
    }
    warn.accept(
        path + " was open to others (" + PosixFilePermissions.toString(now) + "); " + outcome);
  }

  /**
   * A directory another user owns, or one shared as /tmp is, is not the tool's to close: changing
   * its mode would break it for the others, and anyone may have put files in it.
   */
  private static void refuseShared(Path dir) {
    Optional<String> why;
    try {
      why = Ownership.whyNotOwn(dir);
    } catch (IOException e) {
      return; // unreadable: the command that uses it reports what it cannot do
    }
    why.ifPresent(
        reason -> {
          throw new SettingsException(
              dir
                  + " "
                  + reason
                  + "; edlink-idem keeps bodies and tokens only in a directory of your own: choose"
                  + " another (for the journal, --journal DIR)");
        });
  }
}
