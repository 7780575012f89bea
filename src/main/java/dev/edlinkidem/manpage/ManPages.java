package dev.edlinkidem.manpage;

import dev.edlinkidem.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;
import picocli.CommandLine;

/**
 * The man pages of every command, one file each, as scripts/generate-man writes them to docs/man.
 */
public final class ManPages {
  private ManPages() {}

  /**
   * File name (edlink-idem-journal-merge.1) to page, for {@code root} and every command under it.
   */
  public static SortedMap<String, String> of(CommandLine root) {
    SortedMap<String, String> pages = new TreeMap<>();
    add(root, pages);
    return pages;
  }

  private static void add(CommandLine command, SortedMap<String, String> pages) {
    pages.put(ManPage.name(command.getCommandSpec()) + ".1", ManPage.of(command));
    ManPage.subcommands(command).forEach(sub -> add(sub, pages));
  }

  /**
   * Writes every page into the directory {@code args[0]} and removes pages of commands that are
   * gone.
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ManPages DIRECTORY");
    }
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    SortedMap<String, String> pages = of(Main.commandLine(null));
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.1")) {
      for (Path file : old) {
        if (!pages.containsKey(file.getFileName().toString())) {
          Files.delete(file);
          System.out.println("removed " + file);
        }
      }
    }
    for (var page : pages.entrySet()) {
      Files.writeString(dir.resolve(page.getKey()), page.getValue(), StandardCharsets.UTF_8);
    }
    System.out.println("wrote " + pages.size() + " pages to " + dir);
  }
}
