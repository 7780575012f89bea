package dev.edlinkidem.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a file or directory is the user's alone, so that the tool may close it to others and keep
 * bodies and tokens in it: one owned by another user, or a directory shared as /tmp is (with the
 * sticky bit), is refused rather than changed. A directory the user owns but left open to others is
 * theirs to close.
 */
public final class Ownership {
  private static final int STICKY = 01000;

  private Ownership() {}

  /**
   * Why {@code path} is not the user's to make private, or empty when it is (or is missing, or the
   * file system has no owners to ask about).
   */
  public static Optional<String> whyNotOwn(Path path) throws IOException {
    int uid;
    int mode;
    try {
      uid = (Integer) Files.getAttribute(path, "unix:uid");
      mode = (Integer) Files.getAttribute(path, "unix:mode");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return Optional.empty(); // no POSIX owners here: nothing to compare
    }
    if (!isCurrentUser(path, uid)) {
      return Optional.of("belongs to another user (uid " + uid + ")");
    }
    if (Files.isDirectory(path) && (mode & STICKY) != 0) {
      return Optional.of(
          "is a directory shared with others (mode " + Integer.toOctalString(mode & 07777) + ")");
    }
    return Optional.empty();
  }

  /**
   * The process's user is the owner of /proc/self on Linux; elsewhere the owner's name is compared
   * with the user's.
   */
  private static boolean isCurrentUser(Path path, int uid) throws IOException {
    Path self = Path.of("/proc/self");
    if (Files.isDirectory(self)) {
      return uid == (Integer) Files.getAttribute(self, "unix:uid");
    }
    return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS)
        .getName()
        .equals(System.getProperty("user.name"));
  }
}
