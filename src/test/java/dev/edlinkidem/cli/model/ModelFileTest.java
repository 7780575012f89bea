package dev.edlinkidem.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The model file with what today's commands do not use yet: a default inside a group, variables and
 * format specifiers in texts, a field that shadows one of a superclass; and what it refuses.
 */
// It sets system properties, which are process-wide, for the model to read.
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class ModelFileTest {
  static class Base {
    @Option(names = "--shadowed", description = "The superclass's.")
    String shadowed = "base";
  }

  static class Extra {
    @Option(
        names = {"-x", "--extra"},
        description = "A mixin's.")
    boolean extra;
  }

  @Command(
      name = "sample",
      mixinStandardHelpOptions = true,
      description = "100%% sure: ${sys:edlink.model.test:-plain}.",
      footer = "%nfoot")
  static class Sample extends Base implements Runnable {
    @Option(
        names = "--count",
        defaultValue = "${sys:edlink.model.count:-5}",
        description = "How many (default: ${DEFAULT-VALUE}).")
    int count;

    @ArgGroup(exclusive = false)
    Choice choice = new Choice();

    @Mixin Extra extra;

    @Parameters(paramLabel = "FILE", arity = "0..1", description = "A file.")
    String file;

    @SuppressWarnings("unused") // shadows Base.shadowed, to which --shadowed is bound
    String shadowed = "sub";

    static class Choice {
      @Option(names = "--a", defaultValue = "dflt", description = "A, by default dflt.")
      String a;

      @Option(names = "--b", description = "B.")
      String b;
    }

    @Override
    public void run() {}
  }

  @Test
  void aCommandOfEveryKindOfMemberIsBuiltAgainAlike() {
    String json = ModelFile.json(new CommandLine(new Sample()));
    System.setProperty("edlink.model.test", "at run time");
    System.setProperty("edlink.model.count", "9");
    try {
      CommandLine annotated = new CommandLine(new Sample());
      Sample sample = new Sample();
      CommandLine described =
          CommandModel.described(json).commandLine(sample, CommandLine.defaultFactory());
      String help = described.getUsageMessage(Ansi.OFF);
      assertTrue(help.contains("100% sure: at run time."), help);
      assertTrue(help.contains("How many (default: 9)."), help);
      assertEquals(annotated.getUsageMessage(Ansi.OFF), help);

      List<String> a = new ArrayList<>();
      List<String> d = new ArrayList<>();
      CommandModelTest.describe(annotated, a);
      CommandModelTest.describe(described, d);
      assertEquals(String.join("\n", a), String.join("\n", d));

      for (List<String> args :
          List.<List<String>>of(
              List.of(),
              List.of("--b", "bee", "--shadowed", "v", "-x", "f.txt"),
              List.of("--a", "ay", "--count", "3"))) {
        assertEquals(
            CommandModelTest.parsed(new CommandLine(new Sample()), args),
            CommandModelTest.parsed(
                CommandModel.described(json)
                    .commandLine(new Sample(), CommandLine.defaultFactory()),
                args),
            args.toString());
      }
      described.parseArgs("--b", "bee", "--shadowed", "v");
      assertEquals("v", ((Base) sample).shadowed);
      assertEquals("sub", sample.shadowed);
      assertEquals(9, sample.count);
      assertEquals("dflt", sample.choice.a, "the group's default");
    } finally {
      System.clearProperty("edlink.model.test");
      System.clearProperty("edlink.model.count");
    }
  }

  static class Uppercase implements IParameterPreprocessor {
    @Override
    public boolean preprocess(
        Stack<String> args, CommandSpec spec, ArgSpec arg, java.util.Map<String, Object> info) {
      args.push(args.pop().toUpperCase(java.util.Locale.ROOT));
      return false;
    }
  }

  @Command(name = "odd")
  static class Odd implements Runnable {
    @Option(names = "--p", preprocessor = Uppercase.class)
    String p;

    @Override
    public void run() {}
  }

  @Test
  void whatTheFileCannotHoldFailsTheBuildByName() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> ModelFile.json(new CommandLine(new Odd())));
    assertTrue(
        e.getMessage().contains("odd: the command model file does not hold"), e.getMessage());
    assertTrue(e.getMessage().contains("preprocessor"), e.getMessage());
  }

  @Test
  void aClassCompiledAfterTheFileInItsDirectoryMeansTheAnnotations(@TempDir Path classes)
      throws Exception {
    Path file = classes.resolve(CommandModel.FILE);
    Files.createDirectories(file.getParent());
    Files.writeString(file, "{}");
    Path compiled = Files.createDirectories(classes.resolve("dev/edlinkidem/cli/command"));
    Path type = Files.writeString(compiled.resolve("PostCommand.class"), "");
    Instant written = Instant.parse("2026-12-01T10:00:00Z");
    Files.setLastModifiedTime(file, FileTime.from(written));
    Files.setLastModifiedTime(type, FileTime.from(written.minusSeconds(5)));
    assertFalse(CommandModel.olderThanAClass(file.toUri().toURL()), "classes before the file");
    Files.setLastModifiedTime(type, FileTime.from(written.plusSeconds(5)));
    assertTrue(CommandModel.olderThanAClass(file.toUri().toURL()), "a class after the file");
  }
}
