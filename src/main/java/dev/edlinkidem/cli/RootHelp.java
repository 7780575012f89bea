package dev.edlinkidem.cli;

import dev.edlinkidem.cli.render.HelpTable;
import java.util.List;

/**
 * The sections the root's --help and man page add after the options: the environment and the files.
 */
public final class RootHelp {
  private RootHelp() {}

  /** The environment variables the tool reads, for the root's --help and man page. */
  public static final HelpTable ENVIRONMENT =
      new HelpTable(
          "environment",
          "Environment:",
          List.of(
              new HelpTable.Row(
                  "EDLINK_TOKEN",
                  "The bearer token, when --token-file is not given; before the profile's."),
              new HelpTable.Row(
                  "EDLINK_BASE_URL",
                  "Edlink's base URL, when --base-url is not given; before the profile's."),
              new HelpTable.Row(
                  "EDLINK_IDEM_JOURNAL",
                  "The journal directory, when --journal is not given; before the profile's."),
              new HelpTable.Row(
                  "EDLINK_IDEM_PROFILE", "The profile in use, when --profile is not given."),
              new HelpTable.Row(
                  "NO_COLOR",
                  "Set (to anything): no colour, unless --color always. TERM=dumb does the same."),
              new HelpTable.Row(
                  "EDLINK_IDEM_NOW",
                  "An ISO-8601 instant (2026-12-21T09:00:00Z) that replaces the current time in"
                      + " every expiry rule; for tests and \"what if\" questions. The journal"
                      + " always records the real time."),
              new HelpTable.Row(
                  "XDG_CONFIG_HOME",
                  "Where the configuration lives (Files); a relative path is ignored."),
              new HelpTable.Row(
                  "XDG_STATE_HOME",
                  "Where the journal and the shell history live (Files); a relative path is"
                      + " ignored.")));

  /** The files the tool reads and writes, for the root's --help and man page. */
  public static final HelpTable FILES =
      new HelpTable(
          "files",
          "Files:",
          List.of(
              new HelpTable.Row(
                  "$XDG_CONFIG_HOME/edlink-idem/config",
                  "The configuration file: named profiles of settings (docs/configuration.md)."
                      + " Optional. Without XDG_CONFIG_HOME: ~/.config/edlink-idem/config."),
              new HelpTable.Row(
                  "$XDG_CONFIG_HOME/edlink-idem/tokens/",
                  "Tokens stored by config set-token, a file of mode 0600 " + "per profile."),
              new HelpTable.Row(
                  "$XDG_STATE_HOME/edlink-idem/",
                  "The journal, unless --journal, EDLINK_IDEM_JOURNAL or the profile names another"
                      + " directory (docs/journal-format.md). Without XDG_STATE_HOME:"
                      + " ~/.local/state/edlink-idem/."),
              new HelpTable.Row(
                  "$XDG_STATE_HOME/edlink-idem/history",
                  "The interactive shell's command history.")));
}
