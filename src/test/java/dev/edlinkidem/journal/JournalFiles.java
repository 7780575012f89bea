package dev.edlinkidem.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a test finds a journal's files, so that tests say what they check rather than the layout's
 * details.
 */
final class JournalFiles {
  private JournalFiles() {}

  /** The file holding a key's records. */
  static Path fileOf(Path dir, String key) {
    return new Layout(dir).entryFile(Layout.hash(key));
  }

  /** Every entry file, in path order. */
  static List<Path> entryFiles(Path dir) throws IOException {
    Path entries = new Layout(dir).entries();
    if (!Files.isDirectory(entries)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(entries)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /**
   * Every record the journal holds, file after file: equal before and after means no record
   * changed.
   */
  static byte[] records(Path dir) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (Path f : entryFiles(dir)) {
      all.writeBytes(f.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      all.writeBytes(Files.readAllBytes(f));
    }
    return all.toByteArray();
  }

  /** The bytes of every entry file: what a remove or a merge reports as the journal's size. */
  static long recordBytes(Path dir) throws IOException {
    long sum = 0;
    for (Path f : entryFiles(dir)) {
      sum += Files.size(f);
    }
    return sum;
  }
}
