package dev.edlinkidem.config;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** A lock on a file, between processes: held until closed, and gone with the process. */
public final class FileLocks {
  private FileLocks() {}

  /** Waits for, then holds, the exclusive lock of {@code lockFile} (made, mode 0600, if absent). */
  public static Closeable exclusive(Path lockFile) throws IOException {
    FileChannel channel =
        FileChannel.open(
            lockFile,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = channel.lock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return () -> {
      try {
        lock.release();
      } finally {
        channel.close();
      }
    };
  }
}
