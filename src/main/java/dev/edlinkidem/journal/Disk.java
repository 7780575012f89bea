package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The file-system steps the journal is made of: private modes (bodies name students), names made
 * durable by forcing their directory, and one short reason per failure.
 */
final class Disk {
  static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
  static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
      PosixFilePermissions.asFileAttribute(PRIVATE_DIR);
  static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private Disk() {}

  /**
   * A name inside a journal that is a symbolic link, or not the kind of file it should be. The
   * journal never follows a link: a link planted in a directory from another machine (a CI artifact
   * to merge) must not turn a read into a write, or a clean-up into a deletion, somewhere else.
   */
  static final class NotPlain extends FileSystemException {
    private static final long serialVersionUID = 1L;

    final boolean link;

    NotPlain(Path path, boolean link, String what) {
      super(path.toString(), null, path + " " + (link ? LINK : what));
      this.link = link;
    }
  }

  /** The attributes of a name itself, never of what a link points to; null when it is absent. */
  static BasicFileAttributes attributesOf(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Whether nothing at all is at {@code path}, not even a link. When something is there (the common
   * case: the cache, a key read again) it is known at once, without the cost of an exception
   * ({@code Files.exists} asks the kernel directly). But the kernel's "no" is also its answer for a
   * name it cannot reach (a directory it may not search, a link that loops, a file in place of a
   * directory): "absent" is taken only from a name's own attributes, and any other failure is
   * thrown, so that a key is never taken for new because its file could not be seen.
   */
  static boolean nothingAt(Path path) throws IOException {
    return !Files.exists(path) && attributesOf(path) == null;
  }

  /** Whether a regular file is there; a link, a directory or a device in its place is refused. */
  static boolean isFile(Path path) throws IOException {
    BasicFileAttributes a = attributesOf(path);
    if (a == null) {
      return false;
    }
    if (a.isRegularFile()) {
      return true;
    }
    throw new NotPlain(path, a.isSymbolicLink(), "is not a regular file");
  }

  /**
   * Refuses a file about to be written that has other hard links: what is appended would land in
   * the other names too (a copy made with {@code cp -al}), outside the journal and its modes.
   */
  static void requireSoleLink(Path path) throws IOException {
    Object links = Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    if (links instanceof Integer n && n > 1) {
      throw new NotPlain(
          path,
          false,
          "has "
              + (n - 1)
              + " other hard link(s) (a copy made with cp -al?), and edlink-idem writes only a"
              + " file of its own: replace it with a plain copy (cp, without -l)");
    }
  }

  /** Whether a directory of its own is there; a link or a file in its place is refused. */
  static boolean isDirectory(Path path) throws IOException {
    BasicFileAttributes a = attributesOf(path);
    if (a == null) {
      return false;
    }
    if (a.isDirectory()) {
      return true;
    }
    throw new NotPlain(path, a.isSymbolicLink(), "is not a directory");
  }

  private static final String LINK =
      "is a symbolic link, and edlink-idem never follows one inside a journal: remove it";

  /**
   * Reads a whole regular file without following a link; a missing one is {@link
   * NoSuchFileException}.
   */
  static byte[] readAll(Path path) throws IOException {
    if (!isFile(path)) {
      throw new NoSuchFileException(path.toString());
    }
    try (FileChannel c =
        FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = c.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new FileSystemException(path.toString(), null, path + " is too large to read");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining() && c.read(buf) >= 0) {
        // until full or at its end
      }
      if (buf.hasRemaining()) {
        byte[] shorter = new byte[buf.position()];
        System.arraycopy(buf.array(), 0, shorter, 0, shorter.length);
        return shorter;
      }
      return buf.array();
    }
  }

  /** A channel, and whether opening it created the file (whose name is then not yet durable). */
  record Opened(FileChannel channel, boolean created) {}

  /**
   * Opens a file, creating it with mode 0600 when it is missing; the caller forces its directory if
   * it was new.
   */
  static Opened open(Path path, OpenOption... modes) throws IOException {
    Set<OpenOption> options = new HashSet<>(List.of(modes));
    options.add(LinkOption.NOFOLLOW_LINKS);
    // Most opens are of a file that is there (the cache, appended to a line at a time): trying to
    // create it first would cost an exception each time.
    if (nothingAt(path)) {
      options.add(StandardOpenOption.CREATE_NEW);
      try {
        return new Opened(FileChannel.open(path, options, FILE_MODE), true);
      } catch (FileAlreadyExistsException e) {
        options.remove(StandardOpenOption.CREATE_NEW); // made meanwhile
      }
    }
    isFile(path); // says what is in the way, rather than "too many levels of symbolic links"
    FileChannel c = FileChannel.open(path, options);
    if (options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND)) {
      try {
        requireSoleLink(path);
      } catch (IOException refused) {
        c.close();
        throw refused;
      }
    }
    return new Opened(c, false);
  }

  /** Opens a file, creating it with mode 0600 and making its name durable when it is new. */
  static FileChannel openPrivate(Path path, OpenOption... modes) throws IOException {
    Opened opened = open(path, modes);
    if (opened.created()) {
      try {
        force(path.toAbsolutePath().getParent());
      } catch (IOException e) {
        opened.channel().close();
        throw e;
      }
    }
    return opened.channel();
  }

  /**
   * Makes a directory with mode 0700 unless it exists, and forces its parent so that its name
   * survives a crash. Returns whether it was made.
   */
  static boolean makePrivateDirectory(Path dir) throws IOException {
    if (isDirectory(dir)) {
      return false;
    }
    try {
      Files.createDirectory(dir, DIR_MODE);
    } catch (FileAlreadyExistsException e) {
      if (isDirectory(dir)) {
        return false; // another process made it first
      }
      throw e;
    }
    force(dir.toAbsolutePath().getParent());
    return true;
  }

  /**
   * Writes a whole file (replacing any), forces it, and closes it; its directory is the caller's to
   * force.
   */
  static void writeForced(Path path, byte[] bytes) throws IOException {
    try (FileChannel c = open(path, StandardOpenOption.WRITE).channel()) {
      c.truncate(0);
      writeFully(c, bytes, 0, path);
      DiskFaults.before(DiskFaults.Step.FORCE, path);
      c.force(false);
    }
  }

  /**
   * Appends whole lines to a file (made 0600, its name durable, when new) and forces them. A last
   * line left torn by a crash (it has no newline) was never relied on, since whatever it was for
   * waits for its force: it is cut off first, so that it can neither swallow the first line
   * appended nor pass for a damaged one.
   */
  static void appendForced(Path path, byte[] lines) throws IOException {
    try (FileChannel c = openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long at = c.size();
      ByteBuffer one = ByteBuffer.allocate(1);
      while (at > 0) {
        one.clear();
        c.read(one, at - 1);
        if (one.get(0) == '\n') {
          break;
        }
        at--;
      }
      if (at < c.size()) {
        c.truncate(at);
      }
      writeFully(c, lines, at, path);
      DiskFaults.before(DiskFaults.Step.FORCE, path);
      c.force(false);
    }
  }

  /**
   * Writes a whole file (replacing any) without forcing it: for the derived cache and test
   * fixtures.
   */
  static void writeUnforced(Path path, byte[] bytes) throws IOException {
    try (FileChannel c = open(path, StandardOpenOption.WRITE).channel()) {
      c.truncate(0);
      writeFully(c, bytes, 0, path);
    }
  }

  /**
   * Writes all of {@code bytes} at {@code at} in {@code path}'s channel; returns where it ended.
   */
  static long writeFully(FileChannel c, byte[] bytes, long at, Path path) throws IOException {
    DiskFaults.before(DiskFaults.Step.WRITE, path);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) {
      at += c.write(buf, at);
    }
    return at;
  }

  /** Renames a file over another in one step. */
  static void replace(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Forces a directory, so that the names created, renamed or removed in it are durable. */
  static void force(Path directory) throws IOException {
    DiskFaults.before(DiskFaults.Step.FORCE, directory);
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /**
   * Forces a file written by someone else before anything is derived from it; a missing file is not
   * an error.
   */
  static void forceFile(Path file) throws IOException {
    if (!isFile(file)) {
      return;
    }
    DiskFaults.before(DiskFaults.Step.FORCE, file);
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      c.force(false);
    } catch (NoSuchFileException e) {
      // Nothing to make durable.
    }
  }

  /** A file's size, or -1 when it does not exist. */
  static long sizeOf(Path file) throws IOException {
    BasicFileAttributes a = attributesOf(file);
    return a == null ? -1 : a.size();
  }

  /** The operating system's reason, without the path that the message already names. */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    if (e instanceof FileSystemException) {
      return e.getClass()
          .getSimpleName()
          .replace("Exception", "")
          .replaceAll("([a-z])([A-Z])", "$1 $2")
          .toLowerCase();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
