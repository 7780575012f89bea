package dev.edlinkidem.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where the sandbox's certificate is written for its clients to trust (curl's {@code --cacert}): a
 * file the user chose, which stays, or one in a new private temporary directory, which goes when
 * the sandbox stops. Only the public certificate is ever written, never the key.
 */
public final class CertificateFile implements AutoCloseable {
  /** The file's name in the temporary directory. */
  static final String TEMPORARY_NAME = "sandbox-certificate.pem";

  private final Path path;
  private final Path temporaryDirectory;

  private CertificateFile(Path path, Path temporaryDirectory) {
    this.path = path;
    this.temporaryDirectory = temporaryDirectory;
  }

  /**
   * Replaces {@code target} with {@code pem} in one step: a script reading it sees the old
   * certificate or the new, never part of one. The directory must exist already.
   */
  public static CertificateFile replace(Path target, String pem) throws IOException {
    Path absolute = target.toAbsolutePath();
    write(absolute, pem);
    return new CertificateFile(absolute, null);
  }

  /** Writes {@code pem} in a new directory only this user can enter, removed by {@link #close}. */
  public static CertificateFile temporary(String pem) throws IOException {
    // The JDK makes the directory rwx------ where files have POSIX permissions.
    Path directory = Files.createTempDirectory("edlink-idem-sandbox-");
    Path file = directory.resolve(TEMPORARY_NAME);
    try {
      write(file, pem);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(directory);
      throw e;
    }
    return new CertificateFile(file, directory);
  }

  /** The file, as an absolute path. */
  public Path path() {
    return path;
  }

  /**
   * Removes the file and its directory when they are temporary; a file the user chose stays. Safe
   * to call more than once, and from a shutdown hook.
   */
  @Override
  public void close() {
    if (temporaryDirectory == null) {
      return;
    }
    try {
      Files.deleteIfExists(path);
      Files.deleteIfExists(temporaryDirectory);
    } catch (IOException e) {
      // Left in the system's temporary directory: a public certificate, nothing secret.
    }
  }

  /**
   * Writes beside {@code file} and renames over it; readable by all (rw-r--r--), as a certificate
   * is public.
   */
  private static void write(Path file, String pem) throws IOException {
    Path temp =
        Files.createTempFile(
            file.getParent(),
            "." + file.getFileName() + "-",
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    try {
      Files.writeString(temp, pem, StandardCharsets.US_ASCII);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
