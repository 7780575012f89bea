package dev.edlinkidem.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import dev.edlinkidem.config.ConfigFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The top-level command: global options shared by every subcommand, and the subcommand list. */
@Command(
    name = "edlink-idem",
    mixinStandardHelpOptions = true,
    versionProvider = EdlinkIdem.Version.class,
    description =
        "Makes POSTs to the Edlink API safe to retry: every request carries an idempotency key and " +
        "is written to a local journal before it is sent, so an answer lost on the way can be " +
        "replayed without creating a duplicate.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem post /api/v2/graph/classes/$CLASS/assignments -d @assignment.json",
      "  edlink-idem replay --all-pending --yes",
      "  edlink-idem expiring --fail-if-pending",
      "  edlink-idem <command> --help      (each command's options, examples and exit codes)"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "  0:success (2xx, sent now or read from the journal)",
      "  1:internal error, or the journal could not be written (nothing was sent)",
      "  2:usage or bad input (nothing journaled, nothing sent)",
      "  3:refused for safety: key reused for another request, window ended, key in flight",
      "  4:Edlink answered with a final 4xx (journaled as failed; 401/403 stay pending)",
      "  5:Edlink answered 5xx (or 408/409/425/429, or a redirect) until retries ran out (pending)",
      "  6:no response until the retries ran out (pending: replay it)",
      "  7:expiring --fail-if-pending found pending entries inside their window",
      "130:interrupted; the entry stays pending"
    })
public final class EdlinkIdem implements Runnable {
  /**
   * The subcommands, in the order help lists them. {@link Main} registers only the one a command
   * line names when it names one: picocli builds each command's model at start-up, by reflection.
   */
  static final java.util.List<Class<?>> COMMANDS = java.util.List.of(PostCommand.class, BatchCommand.class,
      ReplayCommand.class, ListCommand.class, ShowCommand.class, ExpiringCommand.class, PruneCommand.class,
      KeygenCommand.class, ReconcileCommand.class, JournalCommand.class, ConfigCommand.class, ShellCommand.class,
      CompletionCommand.class, SandboxCommand.class);

  /** When colour is used on stderr and stdout. */
  public enum ColorMode { AUTO, ALWAYS, NEVER }

  /** The environment variables the tool reads, for the root's --help and man page. */
  static final HelpTable ENVIRONMENT = new HelpTable("environment", "Environment:", java.util.List.of(
      new HelpTable.Row("EDLINK_TOKEN", "The bearer token, when --token-file is not given; before the profile's."),
      new HelpTable.Row("EDLINK_BASE_URL", "Edlink's base URL, when --base-url is not given; before the profile's."),
      new HelpTable.Row("EDLINK_IDEM_JOURNAL", "The journal directory, when --journal is not given; before the profile's."),
      new HelpTable.Row("EDLINK_IDEM_PROFILE", "The profile in use, when --profile is not given."),
      new HelpTable.Row("NO_COLOR", "Set (to anything): no colour, unless --color always. TERM=dumb does the same."),
      new HelpTable.Row("EDLINK_IDEM_NOW", "An ISO-8601 instant (2026-12-21T09:00:00Z) that replaces the current time in "
          + "every expiry rule; for tests and \"what if\" questions. The journal always records the real time."),
      new HelpTable.Row("XDG_CONFIG_HOME", "Where the configuration lives (Files); a relative path is ignored."),
      new HelpTable.Row("XDG_STATE_HOME", "Where the journal and the shell history live (Files); a relative path is ignored.")));

  /** The files the tool reads and writes, for the root's --help and man page. */
  static final HelpTable FILES = new HelpTable("files", "Files:", java.util.List.of(
      new HelpTable.Row("$XDG_CONFIG_HOME/edlink-idem/config", "The configuration file: named profiles of settings "
          + "(docs/configuration.md). Optional. Without XDG_CONFIG_HOME: ~/.config/edlink-idem/config."),
      new HelpTable.Row("$XDG_CONFIG_HOME/edlink-idem/tokens/", "Tokens stored by config set-token, a file of mode 0600 "
          + "per profile."),
      new HelpTable.Row("$XDG_STATE_HOME/edlink-idem/", "The journal, unless --journal, EDLINK_IDEM_JOURNAL or the profile "
          + "names another directory (docs/journal-format.md). Without XDG_STATE_HOME: ~/.local/state/edlink-idem/."),
      new HelpTable.Row("$XDG_STATE_HOME/edlink-idem/history", "The interactive shell's command history.")));

  private final Invocation invocation;
  private ConfigFile configFile;

  @Option(names = "--journal", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "Journal directory (env EDLINK_IDEM_JOURNAL; default $XDG_STATE_HOME/edlink-idem or ~/.local/state/edlink-idem).")
  private Path journal;

  @Option(names = "--base-url", paramLabel = "URL", scope = ScopeType.INHERIT,
      description = "Edlink base URL (env EDLINK_BASE_URL; default https://ed.link).")
  private String baseUrl;

  @Option(names = "--profile", paramLabel = "NAME", scope = ScopeType.INHERIT,
      description = "Settings profile from the configuration file (env EDLINK_IDEM_PROFILE; default: default).")
  private String profile;

  @Option(names = "--color", paramLabel = "WHEN", scope = ScopeType.INHERIT,
      description = "auto, always or never (NO_COLOR set means never; default auto: only on a terminal).")
  private ColorMode color;

  @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
      description = "Say nothing on stderr when all went well.")
  private boolean quiet;

  @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
      description = "Say more on stderr: each attempt, and stack traces of internal errors.")
  private boolean verbose;

  public EdlinkIdem(Invocation invocation) {
    this.invocation = invocation;
  }

  @Override
  public void run() {
    throw CliException.usage("a command is needed (see 'edlink-idem --help')");
  }

  public Invocation invocation() {
    return invocation;
  }

  public boolean quiet() {
    return quiet && !verbose;
  }

  public boolean verbose() {
    return verbose;
  }

  /** The journal directory; one found open to others is closed to them, with a warning. */
  public Path journalDir() {
    Path dir = Path.of(journalSetting().value());
    // Bodies name students: the journal is the owner's alone (SPEC: refused or fixed with a warning).
    PrivateMode.close(this, dir, "rwx------");
    return dir;
  }

  /** A setting's value and where it came from: flag, environment, profile or default. */
  public record Setting(String value, String source) {}

  /** The journal directory, by precedence: flag, environment, profile, default. */
  public Setting journalSetting() {
    if (journal != null) {
      if (journal.toString().isBlank()) {
        throw CliException.usage("--journal needs a directory, not an empty string");
      }
      return new Setting(journal.toString(), "flag --journal");
    }
    String fromEnv = invocation.env("EDLINK_IDEM_JOURNAL");
    if (fromEnv != null) {
      return new Setting(fromEnv, "environment EDLINK_IDEM_JOURNAL");
    }
    String fromProfile = fromProfile("journal");
    if (fromProfile != null) {
      return new Setting(expandHome(fromProfile), "profile " + profile());
    }
    return new Setting(stateDir().toString(), xdgStateHome() != null ? "default ($XDG_STATE_HOME)" : "default");
  }

  /** Where state lives (the default journal, the shell's history): $XDG_STATE_HOME/edlink-idem, else ~/.local/state/edlink-idem. */
  public Path stateDir() {
    String state = xdgStateHome();
    return state != null ? Path.of(state, "edlink-idem") : Path.of(home(), ".local", "state", "edlink-idem");
  }

  private String xdgStateHome() {
    String state = invocation.env("XDG_STATE_HOME");
    // The XDG rules say a relative XDG_STATE_HOME is to be ignored.
    return state != null && Path.of(state).isAbsolute() ? state : null;
  }

  /**
   * The global options this command line was given, as arguments: the shell passes them on to
   * every command typed in it that does not give its own.
   */
  public java.util.List<String> globalArgs() {
    java.util.List<String> args = new java.util.ArrayList<>();
    if (journal != null) {
      args.addAll(java.util.List.of("--journal", journal.toString()));
    }
    if (baseUrl != null) {
      args.addAll(java.util.List.of("--base-url", baseUrl));
    }
    if (profile != null) {
      args.addAll(java.util.List.of("--profile", profile));
    }
    if (color != null) {
      args.addAll(java.util.List.of("--color", color.name().toLowerCase(java.util.Locale.ROOT)));
    }
    if (quiet) {
      args.add("--quiet");
    }
    if (verbose) {
      args.add("--verbose");
    }
    return args;
  }

  /** The base URL setting, by precedence: flag, environment, profile, default. */
  public Setting baseUrlSetting() {
    if (baseUrl != null) {
      return new Setting(baseUrl, "flag --base-url");
    }
    String fromEnv = invocation.env("EDLINK_BASE_URL");
    if (fromEnv != null) {
      return new Setting(fromEnv, "environment EDLINK_BASE_URL");
    }
    String fromProfile = fromProfile("base-url");
    return fromProfile != null ? new Setting(fromProfile, "profile " + profile()) : new Setting("https://ed.link", "default");
  }

  /** The profile in use: --profile, else EDLINK_IDEM_PROFILE, else "default". */
  public String profile() {
    return profileSetting().value();
  }

  /** The profile in use and where it was chosen. */
  public Setting profileSetting() {
    String name = profile != null ? profile : invocation.env("EDLINK_IDEM_PROFILE");
    if (name == null) {
      return new Setting("default", "default");
    }
    if (!ConfigFile.PROFILE_NAME.matcher(name).matches()) {
      throw CliException.usage("'" + name + "' is not a profile name (letters, digits, . _ -)");
    }
    if (!name.equals("default") && !config().hasProfile(name)) {
      throw CliException.usage("no profile [" + name + "] in " + config().path());
    }
    return new Setting(name, profile != null ? "flag --profile" : "environment EDLINK_IDEM_PROFILE");
  }

  /** Where the configuration lives: $XDG_CONFIG_HOME/edlink-idem, else ~/.config/edlink-idem. */
  public Path configDir() {
    String xdg = invocation.env("XDG_CONFIG_HOME");
    if (xdg != null && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "edlink-idem");
    }
    return Path.of(home(), ".config", "edlink-idem");
  }

  public ConfigFile config() {
    if (configFile == null) {
      try {
        Path path = configDir().resolve("config");
        PrivateMode.close(this, path, "rw-------");
        configFile = ConfigFile.read(path);
      } catch (ConfigFile.Invalid e) {
        throw CliException.usage(e.getMessage());
      }
    }
    return configFile;
  }

  /** A setting of the profile in use, or null. */
  public String fromProfile(String key) {
    return config().get(profile(), key);
  }

  /** Where `config set-token` keeps a profile's token. */
  public Path tokenFileOf(String profileName) {
    return configDir().resolve("tokens").resolve(profileName);
  }

  /**
   * Where the token comes from: --token-file, else EDLINK_TOKEN, else the profile's token-file,
   * else the token `config set-token` stored for the profile; null when there is none.
   */
  public Setting tokenSetting(Path tokenFileFlag) {
    if (tokenFileFlag != null) {
      return new Setting(tokenFileFlag.toString(), "flag --token-file");
    }
    if (invocation.env("EDLINK_TOKEN") != null) {
      return new Setting(null, "environment EDLINK_TOKEN");
    }
    String fromProfile = fromProfile("token-file");
    if (fromProfile != null) {
      return new Setting(expandHome(fromProfile), "profile " + profile() + " token-file");
    }
    Path stored = tokenFileOf(profile());
    PrivateMode.close(this, stored, "rw-------");
    return java.nio.file.Files.exists(stored) ? new Setting(stored.toString(), "profile " + profile() + " (config set-token)") : null;
  }

  String expandHome(String path) {
    return path.equals("~") ? home() : path.startsWith("~/") ? home() + path.substring(1) : path;
  }

  private String home() {
    String home = invocation.env("HOME");
    return home != null ? home : System.getProperty("user.home");
  }

  /** The base URL, checked: https, or http to a loopback host only. */
  public URI baseUrl() {
    return dev.edlinkidem.request.Destination.baseUrl(baseUrlSetting().value());
  }

  /** The exact command that replays a key, with the global options this run was given. */
  public String replayCommand(String key, java.util.List<String> sendArgs) {
    StringBuilder b = new StringBuilder("edlink-idem");
    if (journal != null) {
      b.append(" --journal ").append(shellQuote(journal.toString()));
    }
    if (baseUrl != null) {
      b.append(" --base-url ").append(shellQuote(baseUrl));
    }
    if (profile != null) {
      b.append(" --profile ").append(shellQuote(profile));
    }
    b.append(" replay ").append(key);
    sendArgs.forEach(arg -> b.append(' ').append(shellQuote(arg)));
    return b.toString();
  }

  static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }

  /** Whether to colour output on a stream attached (or not) to a terminal. */
  public boolean colorFor(boolean streamIsTerminal) {
    ColorMode mode = color != null ? color : ColorMode.AUTO;
    if (mode == ColorMode.ALWAYS) {
      return true;
    }
    if (mode == ColorMode.NEVER || invocation.env("NO_COLOR") != null || "dumb".equals(invocation.env("TERM"))) {
      return false;
    }
    return streamIsTerminal;
  }

  /** Reads the version that Maven wrote into the jar's resources. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"edlink-idem " + number()};
    }

    static String number() {
      Properties p = new Properties();
      try (InputStream in = EdlinkIdem.class.getResourceAsStream("/dev/edlinkidem/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version", "dev");
    }
  }
}
