package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.verdict.ExitCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code config}: the settings in effect, and the token a profile keeps. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description =
        "Show the settings in effect and where each comes from, or store a profile's token."
            + " Precedence: flag, then environment, then the profile in"
            + " $XDG_CONFIG_HOME/edlink-idem/config, then the default (docs/configuration.md).",
    subcommands = {ConfigCommand.Show.class, ConfigCommand.SetToken.class},
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem config show",
      "  edlink-idem config set-token --profile ci < token.txt"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = "2:no subcommand given (with one, the subcommand's exit code)")
public final class ConfigCommand implements Runnable {
  @ParentCommand EdlinkIdem root;

  @Override
  public void run() {
    throw CliException.usage(
        "a config command is needed: show or set-token (see 'edlink-idem config --help')");
  }

  /** {@code config show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Print the effective settings and where each came from (flag, environment, profile, "
              + "default). The token itself is never printed.",
      footerHeading = "%nExamples:%n",
      footer = {"  edlink-idem config show", "  edlink-idem --profile sandbox config show"},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:shown", "2:unknown profile or a configuration file that cannot be read"})
  static final class Show implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      PrintWriter out = root.invocation().out();
      Path file = root.settings().config().path();
      out.println("config     " + file + (Files.exists(file) ? "" : " (absent)"));
      Settings.Setting chosen = root.settings().profileSetting();
      String profile = chosen.value();
      out.println("profile    " + profile + "  (" + chosen.source() + ")");
      Settings.Setting base = root.settings().baseUrlSetting();
      out.println("base-url   " + base.value() + "  (" + base.source() + ")");
      Settings.Setting journal = root.settings().journalSetting();
      out.println("journal    " + journal.value() + "  (" + journal.source() + ")");
      Settings.Setting retries = root.settings().retriesSetting();
      out.println("retries    " + retries.value() + "  (" + retries.source() + ")");
      Settings.Setting token = root.settings().tokenSetting(null);
      out.println(
          "token      "
              + (token == null
                  ? "none: set EDLINK_TOKEN, pass --token-file, or run 'edlink-idem config"
                      + " set-token'"
                  : "set, never shown  ("
                      + token.source()
                      + (token.value() != null ? ": " + token.value() : "")
                      + ")"));
      out.flush();
      return ExitCode.OK;
    }
  }

  /** {@code config set-token}. */
  @Command(
      name = "set-token",
      mixinStandardHelpOptions = true,
      description =
          "Store the token for a profile (--profile, default: default) in a file of mode 0600 under"
              + " the configuration directory. On a terminal it asks with a masked prompt; in a"
              + " script it reads the token from stdin. It is never printed.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  edlink-idem config set-token",
        "  edlink-idem config set-token --profile ci < token.txt"
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:stored",
        "1:the file could not be written",
        "2:empty or unusable token, or unknown profile"
      })
  static final class SetToken implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      String profile = root.settings().profile();
      String token;
      try {
        token = root.invocation().readSecret("Token for profile " + profile + ": ").strip();
      } catch (IOException e) {
        throw CliException.usage("cannot read the token: " + e.getMessage());
      }
      if (token.isEmpty()) {
        throw CliException.usage("no token given; nothing was stored");
      }
      if (!Settings.fitsAHeader(token)) {
        throw CliException.usage(
            "the token holds spaces or characters a header cannot carry; nothing was stored");
      }
      Path target = root.settings().tokenFileOf(profile);
      try {
        Path dir = target.getParent();
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path temp =
            Files.createTempFile(
                dir,
                ".token-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(temp, token + "\n", StandardCharsets.UTF_8);
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new CliException(
            ExitCode.INTERNAL, "cannot store the token in " + target + ": " + e.getMessage(), e);
      }
      if (!root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: token for profile "
                    + profile
                    + " stored in "
                    + target
                    + " (mode 0600)");
      }
      return ExitCode.OK;
    }
  }
}
