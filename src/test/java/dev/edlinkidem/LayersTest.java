package dev.edlinkidem;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Data flows one way: command, request, journal, sender, journal, printer. Each package may use
 * only the packages this map gives it, so that no layer reaches back up; a new import across layers
 * fails here until the map (and the README's code map) say why.
 */
class LayersTest {
  private static final Map<String, Set<String>> MAY_USE =
      Map.ofEntries(
          Map.entry("time", Set.of()),
          Map.entry("request", Set.of()),
          Map.entry("fs", Set.of()),
          Map.entry("net", Set.of("request")),
          Map.entry("edlink", Set.of("net", "request", "time")),
          Map.entry("journal", Set.of("fs", "request", "time")),
          Map.entry("journal.postgres", Set.of("journal", "fs", "request", "time")),
          Map.entry("send", Set.of("edlink", "journal", "request", "time")),
          Map.entry("verdict", Set.of("send", "edlink", "journal", "request", "time")),
          Map.entry("batch", Set.of("verdict", "send", "edlink", "journal", "request", "time")),
          Map.entry("reconcile", Set.of("edlink", "journal", "request", "time")),
          Map.entry("config", Set.of("fs", "net", "request")),
          Map.entry("sandbox", Set.of("time")),
          Map.entry("completion", Set.of()),
          Map.entry("shell", Set.of("completion")),
          Map.entry("manpage", Set.of("cli", "cli.render")),
          Map.entry("startup", Set.of("cli", "edlink", "sandbox")));

  /** cli and its subpackages are the top: they may use anything. */
  private static final String TOP = "cli";

  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?dev\\.edlinkidem\\.([a-z.]+)\\.[A-Z]", Pattern.MULTILINE);

  @Test
  void noPackageUsesOneAboveIt() throws IOException {
    Path main = MainSources.ROOT;
    List<Path> sources = MainSources.all();
    List<String> wrong = new ArrayList<>();
    for (Path source : sources) {
      String pkg = main.relativize(source.getParent()).toString().replace('/', '.');
      if (pkg.equals(TOP) || pkg.startsWith(TOP + ".")) {
        continue;
      }
      Set<String> allowed = MAY_USE.get(pkg);
      if (allowed == null) {
        wrong.add(pkg + " is a package this test does not place");
        continue;
      }
      Matcher m = IMPORT.matcher(Files.readString(source));
      while (m.find()) {
        String used = m.group(1);
        if (!used.equals(pkg) && !allowed.contains(used)) {
          wrong.add(main.relativize(source) + " uses " + used);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** The only names in cli's own package that its option and rendering helpers may use. */
  private static final Set<String> CLI_BASE =
      Set.of("CliException", "CommandContext", "Invocation", "Version");

  private static final Pattern CLI_IMPORT =
      Pattern.compile("^import dev\\.edlinkidem\\.cli\\.([A-Za-z.]+);", Pattern.MULTILINE);

  @Test
  void optionsAndPrintersUseNoCommandNorTheRoot() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (Path source : MainSources.all()) {
      Path dir = MainSources.ROOT.relativize(source.getParent());
      if (!dir.equals(Path.of("cli/render")) && !dir.equals(Path.of("cli/option"))) {
        continue;
      }
      Matcher m = CLI_IMPORT.matcher(Files.readString(source));
      while (m.find()) {
        String used = m.group(1);
        boolean sibling = used.startsWith("render.") || used.startsWith("option.");
        if (!sibling && !CLI_BASE.contains(used)) {
          wrong.add(MainSources.ROOT.relativize(source) + " uses cli." + used);
        }
      }
    }
    assertEquals(List.of(), wrong);
  }
}
