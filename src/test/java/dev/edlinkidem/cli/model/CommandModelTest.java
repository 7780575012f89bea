package dev.edlinkidem.cli.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.cli.Main;
import dev.edlinkidem.completion.ShellKind;
import dev.edlinkidem.manpage.ManPages;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ITypeInfo;
import picocli.CommandLine.Range;

/**
 * The models a run builds from the build's file are the models picocli reads from the annotations:
 * every attribute picocli shows of a command, an option, a group or a mixin, the help text, and
 * what parsing the same command lines puts in the commands' fields.
 */
class CommandModelTest {
  /** Attributes that differ by design, and why. */
  private static final Set<String> NOT_COMPARED =
      Set.of(
          // The file binds a group's options to the instance its field holds and makes none: the
          // type picocli would instantiate, and the binding of the group's own field, are not
          // needed (the parsing tests compare what lands in the fields).
          "ArgGroupSpec.typeInfo",
          "ArgGroupSpec.getter",
          "ArgGroupSpec.setter",
          "ArgGroupSpec.scope",
          // Where picocli found a @Mixin or a @ParentCommand: the file's model has no annotated
          // elements; it sets the parent's field itself (the parsing tests compare it).
          "CommandSpec.mixinAnnotatedElements",
          "CommandSpec.parentCommandElements",
          // The field an argument is bound to, which toString names; the file binds picocli's own
          // help options to a value of their own rather than to picocli's private fields.
          "ArgSpec.userObject",
          // Names the command's object by its identity hash.
          "CommandSpec.toString");

  private static CommandLine annotated() {
    return Main.commandLine(null, CommandModel.annotations());
  }

  private static CommandLine described() {
    return Main.commandLine(null, CommandModel.described(ModelFile.json()));
  }

  @Test
  void aRunBuildsTheModelsFromTheBuildsFile() {
    assertTrue(
        CommandModel.load().isDescribed(),
        CommandModel.FILE + " is missing from the class path: the build did not write it");
    assertEquals(ModelFile.json(), resourceText());
  }

  @Test
  void everyAttributeOfEveryCommandIsTheSame() {
    List<String> annotated = new ArrayList<>();
    List<String> described = new ArrayList<>();
    describe(annotated(), annotated);
    describe(described(), described);
    assertTrue(annotated.size() > 500, "too few attributes compared: " + annotated.size());
    assertEquals(String.join("\n", annotated), String.join("\n", described));
  }

  @Test
  void theManPagesAndCompletionScriptsAreTheSame() {
    assertEquals(ManPages.of(annotated()), ManPages.of(described()));
    for (ShellKind shell : ShellKind.values()) {
      assertEquals(shell.script(annotated()), shell.script(described()), shell.name());
    }
  }

  static Stream<List<String>> commandLines() {
    return Stream.of(
        List.of(
            "post",
            "/api/v2/x",
            "-d",
            "{}",
            "--key",
            "k1",
            "--retries",
            "2",
            "--timeout",
            "5s",
            "--format",
            "JSON",
            "--pretty",
            "-i",
            "--allow-host",
            "a.example",
            "--allow-host",
            "b.example",
            "--journal",
            "/tmp/j",
            "-q"),
        List.of(
            "post",
            "/p",
            "--key-from",
            "job-1",
            "--raw",
            "--max-response",
            "2M",
            "--dry-run",
            "--color",
            "never",
            "--profile",
            "ci",
            "-v",
            "--base-url",
            "http://localhost:1"),
        List.of("--journal", "/tmp/j", "replay", "--all-pending", "--yes"),
        List.of("list", "--state", "pending"),
        List.of("batch", "lines.jsonl", "-c", "3", "--fail-fast"),
        List.of("expiring", "--within", "3d", "--fail-if-pending"),
        List.of("journal", "merge", "/tmp/other"),
        List.of("--profile", "ci", "config", "show"),
        List.of("sandbox", "--port", "0"),
        List.of("keygen"));
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void parsingPutsTheSameValuesInTheSameFields(List<String> args) {
    String annotated = parsed(annotated(), args);
    String described = parsed(described(), args);
    assertEquals(annotated, described);
  }

  @Test
  void theComparedFieldsHoldWhatWasParsed() {
    String fields = parsed(described(), commandLines().findFirst().orElseThrow());
    for (String expected :
        List.of(
            "post.path = /api/v2/x",
            "post.keyChoice.key = k1",
            "post.send.retries = 2",
            "post.send.timeout = PT5S",
            "post.send.allowedHosts = [a.example, b.example]",
            "post.output.layout.pretty = true",
            "post.output.format = JSON",
            "edlink-idem.globals.journal = /tmp/j",
            "edlink-idem.globals.quiet = true")) {
      assertTrue(fields.contains(expected + "\n"), expected + " not in:\n" + fields);
    }
  }

  @ParameterizedTest
  @MethodSource("commandLines")
  void aBadCommandLineIsRefusedTheSameWay(List<String> args) {
    List<String> bad = new ArrayList<>(args);
    bad.add("--no-such-option");
    if (args.get(0).equals("post")) {
      bad.addAll(List.of("--key", "a", "--key-from", "b"));
    }
    assertEquals(refusal(annotated(), bad), refusal(described(), bad));
  }

  private static String refusal(CommandLine cli, List<String> args) {
    try {
      cli.parseArgs(args.toArray(String[]::new));
      return "parsed";
    } catch (CommandLine.ParameterException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** The fields of every object the command line reached, after parsing {@code args}. */
  static String parsed(CommandLine cli, List<String> args) {
    CommandLine.ParseResult result = cli.parseArgs(args.toArray(String[]::new));
    StringBuilder out = new StringBuilder();
    Set<Object> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (CommandLine c : result.asCommandLineList()) {
      dumpFields(c.getCommand(), c.getCommandName(), out, seen, 0);
    }
    assertTrue(out.length() > 0);
    return out.toString();
  }

  private static void dumpFields(
      Object o, String path, StringBuilder out, Set<Object> seen, int depth) {
    if (o == null || !seen.add(o) || depth > 3) {
      return;
    }
    for (Class<?> c = o.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || f.isSynthetic()) {
          continue;
        }
        f.setAccessible(true);
        Object value;
        try {
          value = f.get(o);
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
        String name = path + "." + f.getName();
        if (value != null
            && value.getClass().getName().startsWith("dev.edlinkidem.cli.")
            && !value.getClass().isEnum()) {
          out.append(name).append(" = ").append(value.getClass().getSimpleName()).append('\n');
          if (!f.getName().equals("root") && !f.getName().equals("parent")) {
            dumpFields(value, name, out, seen, depth + 1);
          }
        } else {
          out.append(name).append(" = ").append(render(value)).append('\n');
        }
      }
    }
  }

  static void describe(CommandLine cli, List<String> out) {
    CommandSpec spec = cli.getCommandSpec();
    String at = spec.qualifiedName();
    out.add(at + " usage:\n" + cli.getUsageMessage(Ansi.OFF));
    values("CommandSpec", at, spec, out);
    values("UsageMessageSpec", at, spec.usageMessage(), out);
    values("ParserSpec", at, spec.parser(), out);
    out.add(at + " mixins " + spec.mixins().keySet());
    for (Map.Entry<String, CommandSpec> mixin : spec.mixins().entrySet()) {
      for (ArgSpec arg : mixin.getValue().args()) {
        values("ArgSpec", at + " mixin " + mixin.getKey() + " " + arg, arg, out);
      }
    }
    for (ArgSpec arg : spec.args()) {
      values("ArgSpec", at + " " + arg, arg, out);
    }
    for (ArgGroupSpec group : spec.argGroups()) {
      group(at, group, out);
    }
    out.add(at + " subcommands " + spec.subcommands().keySet());
    for (CommandLine sub : new LinkedHashSet<>(spec.subcommands().values())) {
      describe(sub, out);
    }
  }

  private static void group(String at, ArgGroupSpec group, List<String> out) {
    values("ArgGroupSpec", at + " group " + group.synopsis(), group, out);
    for (ArgGroupSpec sub : group.subgroups()) {
      group(at, sub, out);
    }
  }

  /** Every public attribute of {@code spec} whose value is plain data, by name. */
  private static void values(String kind, String at, Object spec, List<String> out) {
    Map<String, String> values = new TreeMap<>();
    for (Method m : spec.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == Object.class
          || m.getName().equals("hashCode")
          || NOT_COMPARED.contains(kind + "." + m.getName())) {
        continue;
      }
      Object value;
      try {
        m.setAccessible(true);
        value = m.invoke(spec);
      } catch (ReflectiveOperationException | RuntimeException e) {
        value = "threw " + e.getClass().getSimpleName();
      }
      String rendered = render(value);
      if (rendered != null) {
        values.put(m.getName(), rendered);
      }
    }
    values.forEach((name, value) -> out.add(at + " " + kind + "." + name + " = " + value));
  }

  /** A value as text, or null when it is an object that is not data (a binding, a spec...). */
  private static String render(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof Character
        || value instanceof Enum<?>
        || value instanceof java.nio.file.Path
        || value instanceof java.time.Duration) {
      return String.valueOf(value);
    }
    if (value instanceof Class<?> c) {
      return c.getName();
    }
    if (value instanceof Range r) {
      return r + (r.isUnspecified() ? " (unspecified)" : "");
    }
    if (value instanceof ITypeConverter<?>) {
      return value.getClass().getName();
    }
    if (value instanceof ITypeInfo t) {
      return "type "
          + t.getClassName()
          + " aux "
          + render(t.getAuxiliaryTypes())
          + " multi "
          + t.isMultiValue()
          + " collection "
          + t.isCollection()
          + " enum "
          + t.isEnum()
          + " names "
          + t.getEnumConstantNames();
    }
    if (value instanceof Object[] array) {
      List<String> items = new ArrayList<>();
      for (Object item : array) {
        String r = render(item);
        if (r == null) {
          return null;
        }
        items.add(r);
      }
      return items.toString();
    }
    if (value instanceof Map<?, ?> map) {
      List<String> items = new ArrayList<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = render(e.getKey());
        String v = render(e.getValue());
        if (k == null || v == null) {
          return null;
        }
        items.add(k + "=" + v);
      }
      return items.toString();
    }
    if (value instanceof Collection<?> collection) {
      return render(collection.toArray());
    }
    if (value instanceof Iterable<?> iterable) {
      List<Object> items = new ArrayList<>();
      iterable.forEach(items::add);
      return render(items.toArray());
    }
    if (value instanceof Object[][] || value.getClass().isArray()) {
      return Arrays.deepToString(new Object[] {value});
    }
    return null;
  }

  private static String resourceText() {
    try (var in = CommandModel.class.getClassLoader().getResourceAsStream(CommandModel.FILE)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}
