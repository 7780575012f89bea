package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateFileTest {
  private static final String PEM =
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

  @TempDir Path tmp;

  @Test
  void replacesTheChosenFileReadableByAllAndLeavesItThere() throws IOException {
    Path target = tmp.resolve("sandbox.pem");
    Files.writeString(target, "an older certificate");

    try (CertificateFile file = CertificateFile.replace(target, PEM)) {
      assertEquals(target.toAbsolutePath(), file.path());
    }

    assertEquals(PEM, Files.readString(target));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    assertEquals(List.of(target), list(tmp), "no temporary file left beside it");
  }

  @Test
  void aMissingDirectoryIsAnErrorNotCreated() {
    Path target = tmp.resolve("missing/sandbox.pem");

    assertThrows(IOException.class, () -> CertificateFile.replace(target, PEM));

    assertFalse(Files.exists(tmp.resolve("missing")));
  }

  @Test
  void aTemporaryFileIsInAPrivateDirectoryRemovedOnClose() throws IOException {
    CertificateFile file = CertificateFile.temporary(PEM);
    Path directory = file.path().getParent();

    assertEquals(PEM, Files.readString(file.path()));
    assertEquals(
        "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
    assertEquals(List.of(file.path()), list(directory));

    file.close();
    file.close();

    assertFalse(Files.exists(directory));
  }

  private static List<Path> list(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.toList();
    }
  }
}
