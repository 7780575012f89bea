package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One key's records, alone in a file named by the key's SHA-256: reading it is the whole cost of
 * finding a key, and appending to it is the whole cost of journaling one, at any journal size.
 */
final class EntryFile {
  private EntryFile() {}

  /**
   * A key's file as read.
   *
   * @param entry the key's entry, or null when the file has no readable begin record
   * @param size the file's length in bytes, or -1 when there is no file
   */
  record Read(Entry entry, List<Problem> problems, List<byte[]> unreadable, long size) {
    static final Read ABSENT = new Read(null, List.of(), List.of(), -1);

    boolean exists() {
      return size >= 0;
    }
  }

  static Read read(Path file, String hash) throws IOException {
    if (Disk.nothingAt(file)) {
      return Read.ABSENT; // a new key: found out without the cost of an exception
    }
    byte[] bytes;
    try {
      bytes = Disk.readAll(file);
    } catch (NoSuchFileException e) {
      return Read.ABSENT;
    }
    RecordCodec.Folded folded = RecordCodec.foldFile(bytes, file.toString(), new KeyOfFile(hash));
    Entry entry = folded.entries().isEmpty() ? null : folded.entries().values().iterator().next();
    return new Read(entry, folded.problems(), folded.unreadable(), bytes.length);
  }

  /** Whether a record's key belongs in the file of this hash; hashes each distinct key once. */
  private static final class KeyOfFile implements Predicate<String> {
    private final String hash;
    private String accepted;

    KeyOfFile(String hash) {
      this.hash = hash;
    }

    @Override
    public boolean test(String key) {
      if (key.equals(accepted)) {
        return true;
      }
      if (Layout.hash(key).equals(hash)) {
        accepted = key;
        return true;
      }
      return false;
    }
  }

  /**
   * A record written but not yet forced: {@link #force} makes it durable, and with it the file's
   * name when the file is new. Splitting the two lets several writes share their forcing.
   */
  static final class Written implements AutoCloseable, GroupCommit.Unforced {
    private final FileChannel channel;
    private final Path file;
    private final List<Path> directories;

    /** The file's length before the record: what taking the record back truncates it to. */
    final long before;

    final long size;

    private Written(
        FileChannel channel, Path file, List<Path> directories, long before, long size) {
      this.channel = channel;
      this.file = file;
      this.directories = directories;
      this.before = before;
      this.size = size;
    }

    /** Whether this write created the file, so that taking it back removes the file. */
    boolean created() {
      return !directories.isEmpty();
    }

    void force() throws IOException {
      try {
        DiskFaults.before(DiskFaults.Step.FORCE, file);
        channel.force(false);
        for (Path d : directories) {
          Disk.force(d);
        }
      } finally {
        channel.close();
      }
    }

    /**
     * Forces the record alone and closes the file; {@link #directories} are the caller's to force.
     */
    @Override
    public void forceFile() throws IOException {
      try {
        DiskFaults.before(DiskFaults.Step.FORCE, file);
        channel.force(false);
      } finally {
        channel.close();
      }
    }

    /** The directory of a file this write created, whose name must be forced too; else none. */
    @Override
    public List<Path> directories() {
      return directories;
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Nothing was promised about an unforced write.
      }
    }
  }

  /**
   * Appends one record. A file left with a torn last line (a crash mid-write) gets its newline
   * first, so that the torn line stays one bad line and this one stays good; a failed write is cut
   * back off, so that what follows is not glued to half a record.
   *
   * @param create whether a missing file may be created (only a begin record starts a file)
   */
  static Written append(Path file, byte[] line, boolean create) throws IOException {
    FileChannel channel;
    boolean created = false;
    if (create) {
      Disk.Opened opened = Disk.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
      channel = opened.channel();
      created = opened.created();
    } else {
      Disk.isFile(file);
      Disk.requireSoleLink(file);
      channel =
          FileChannel.open(
              file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
    }
    long size = 0;
    try {
      size = channel.size();
      long at = size;
      if (size > 0 && !endsWithNewline(channel, size)) {
        at += channel.write(ByteBuffer.wrap(new byte[] {'\n'}), at);
      }
      at = Disk.writeFully(channel, line, at, file);
      List<Path> dirs = new ArrayList<>();
      if (created) {
        dirs.add(file.toAbsolutePath().getParent());
      }
      return new Written(channel, file, dirs, size, at);
    } catch (IOException | RuntimeException e) {
      try {
        channel.truncate(size);
        channel.force(false);
      } catch (IOException ignored) {
        // The torn tail will be reported and skipped by the next read.
      }
      channel.close();
      throw e;
    }
  }

  private static boolean endsWithNewline(FileChannel channel, long size) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    return last.get(0) == '\n';
  }
}
