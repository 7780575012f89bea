package dev.edlinkidem.manpage;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * groff, the formatter behind man(1), reads every page without a warning and prints what it should.
 */
class ManPageRenderingTest {
  @TempDir Path dir;

  @Test
  void everyPageRendersWithoutWarnings() throws Exception {
    Optional<Path> groff = onPath("groff");
    assumeTrue(
        groff.isPresent(),
        "groff not installed: the man pages were not rendered (Debian: apt-get install"
            + " groff-base)");
    List<String> problems = new ArrayList<>();
    check(groff.get(), Main.commandLine(null), problems);
    assertTrue(problems.isEmpty(), String.join("\n", problems));
  }

  private void check(Path groff, CommandLine command, List<String> problems) throws Exception {
    String name = ManPage.name(command.getCommandSpec()) + ".1";
    Path page = dir.resolve(name);
    Files.writeString(page, ManPage.of(command), StandardCharsets.UTF_8);
    // -ww: every warning; -z: no output, so stderr holds only what groff had to say about the page.
    String warnings = run(groff, page, "-man", "-Tutf8", "-ww", "-z").stderr;
    if (!warnings.isBlank()) {
      problems.add(name + ": " + warnings.strip());
    }
    // -P-cbou: plain text, without bold, underlining or escape sequences.
    String text =
        run(groff, page, "-man", "-Tutf8", "-ww", "-P-cbou")
            .stdout
            // a hyphen or a minus may come out as U+2010 or U+2212, depending on the system's groff
            // setup
            .replace('\u2010', '-')
            .replace('\u2212', '-');
    for (String heading :
        List.of("NAME", "SYNOPSIS", "DESCRIPTION", "EXIT STATUS", "EXAMPLES", "SEE ALSO")) {
      if (!text.contains("\n" + heading + "\n")) {
        problems.add(name + ": no " + heading + " in\n" + text);
      }
    }
    String example = ManPage.examples(command.getCommandSpec()).get(0);
    if (!text.contains("    " + example + "\n")) {
      problems.add(name + ": the example '" + example + "' is not printed as written in\n" + text);
    }
    for (CommandLine sub : ManPage.subcommands(command)) {
      check(groff, sub, problems);
    }
  }

  private record Result(String stdout, String stderr) {}

  private Result run(Path program, Path page, String... options)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(List.of(options));
    command.add(page.toString());
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
    }
    return new Result(
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
