package dev.edlinkidem.cli.command;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.config.ConfigFile;
import dev.edlinkidem.config.FileLocks;
import dev.edlinkidem.config.PrivateFile;
import dev.edlinkidem.config.Settings;
import dev.edlinkidem.config.UserClient;
import dev.edlinkidem.net.CaFile;
import dev.edlinkidem.net.NetworkSettingException;
import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.time.Time;
import dev.edlinkidem.verdict.ExitCode;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code config}: the settings in effect, and the token a profile keeps. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description =
        "Show the settings in effect and where each comes from, change a profile's settings, or"
            + " store its token."
            + " Precedence: flag, then environment, then the profile in"
            + " $XDG_CONFIG_HOME/edlink-idem/config, then the default (docs/configuration.md).",
    subcommands = {
      ConfigCommand.Show.class,
      ConfigCommand.Set.class,
      ConfigCommand.Get.class,
      ConfigCommand.Unset.class,
      ConfigCommand.ListProfiles.class,
      ConfigCommand.SetToken.class,
      ConfigCommand.SetClient.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  edlink-idem config show",
      "  edlink-idem config set base-url https://ed.link --profile ci",
      "  edlink-idem config list",
      "  edlink-idem config set-token --profile ci < token.txt",
      "  edlink-idem config set-client --profile teacher < token-set.json"
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = "2:no subcommand given (with one, the subcommand's exit code)")
public final class ConfigCommand implements Runnable {
  @ParentCommand EdlinkIdem root;

  @Override
  public void run() {
    throw CliException.usage(
        "a config command is needed: show, set, get, unset, list, set-token or set-client (see"
            + " 'edlink-idem config --help')");
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
      exitCodeList = {
        "0:shown",
        "2:unknown profile, a configuration file that cannot be read, or an invalid value in it"
      })
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
      Map<String, String> invalid = new LinkedHashMap<>();
      for (String key : ConfigFile.KEYS) {
        String value = root.settings().config().get(profile, key);
        String problem = value == null ? null : ConfigFile.problemWith(key, value);
        if (problem != null) {
          invalid.put(key, problem);
        }
      }
      Settings.Setting base = root.settings().baseUrlSetting();
      out.println(
          "base-url   "
              + base.value()
              + "  ("
              + base.source()
              + ")"
              + mark(root, profile, invalid, "base-url", base));
      Settings.Setting journal = root.settings().journalSetting();
      out.println(
          "journal    "
              + journal.value()
              + "  ("
              + journal.source()
              + ")"
              + mark(root, profile, invalid, "journal", journal));
      Settings.Setting retries = root.settings().retriesSetting();
      out.println(
          "retries    "
              + retries.value()
              + "  ("
              + retries.source()
              + ")"
              + mark(root, profile, invalid, "retries", retries));
      List<String> unusable = new ArrayList<>();
      Settings.Setting proxy = root.settings().proxySetting();
      String proxyProblem = null;
      String proxyShown;
      if (proxy == null || proxy.value().isBlank()) {
        proxyShown =
            proxy == null
                ? "none  (no --proxy, profile proxy, https_proxy, HTTPS_PROXY, all_proxy or"
                    + " ALL_PROXY)"
                : "none  (" + proxy.source() + ")";
      } else {
        try {
          proxyShown =
              ProxyUrl.parse(proxy.value(), proxy.source()).redacted()
                  + "  ("
                  + proxy.source()
                  + ")";
        } catch (NetworkSettingException e) {
          proxyProblem = e.getMessage();
          proxyShown =
              ProxyUrl.redact(proxy.value())
                  + "  ("
                  + proxy.source()
                  + ")"
                  + (proxy.source().startsWith("profile") ? "" : "  INVALID");
        }
      }
      out.println("proxy      " + proxyShown + mark(root, profile, invalid, "proxy", proxy));
      if (proxyProblem != null && !proxy.source().startsWith("profile")) {
        unusable.add(proxyProblem);
      }
      Settings.Setting noProxy = root.settings().noProxySetting();
      String loopback =
          root.settings().proxying().loopbackDirect()
              ? "loopback hosts go direct"
              : "loopback hosts too go through the proxy";
      out.println(
          "noproxy    "
              + (noProxy == null
                  ? loopback
                  : (noProxy.value().isBlank() ? "\"\"" : noProxy.value())
                      + "  ("
                      + noProxy.source()
                      + "); "
                      + loopback));
      Settings.Setting cas = root.settings().caFileSetting();
      if (cas == null) {
        out.println("cacert     none: the JDK's CAs only");
      } else {
        String shown;
        try {
          CaFile read = CaFile.read(Path.of(cas.value()), cas.source());
          shown =
              cas.value()
                  + ": "
                  + read.size()
                  + (read.size() == 1 ? " certificate" : " certificates")
                  + ", trusted besides the JDK's CAs  ("
                  + cas.source()
                  + ")";
        } catch (NetworkSettingException e) {
          unusable.add(e.getMessage());
          shown = cas.value() + "  (" + cas.source() + ")  INVALID";
        }
        out.println("cacert     " + shown);
      }
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
      UserClient client = root.settings().userClient();
      if (client != null) {
        out.println(
            "client     "
                + client.clientId()
                + ", secret and refresh token set, never shown  ("
                + root.settings().userClientFileOf(profile)
                + ")");
      }
      out.flush();
      invalid.forEach(
          (key, problem) ->
              root.invocation()
                  .err()
                  .println(
                      "edlink-idem: profile "
                          + profile
                          + " of "
                          + file
                          + ": "
                          + key
                          + " = "
                          + ConfigFile.shown(key, root.settings().config().get(profile, key))
                          + " is invalid: "
                          + problem));
      unusable.forEach(problem -> root.invocation().err().println("edlink-idem: " + problem));
      return invalid.isEmpty() && unusable.isEmpty() ? ExitCode.OK : ExitCode.USAGE;
    }

    /**
     * " INVALID" after a setting in effect that the profile gives and that is invalid; where
     * something else overrides it, what the profile holds, so that the exit code has its reason on
     * the line.
     */
    private static String mark(
        EdlinkIdem root,
        String profile,
        Map<String, String> invalid,
        String key,
        Settings.Setting s) {
      if (!invalid.containsKey(key)) {
        return "";
      }
      return s.source().startsWith("profile")
          ? "  INVALID"
          : "  (profile "
              + profile
              + " has "
              + ConfigFile.shown(key, root.settings().config().get(profile, key))
              + ": INVALID)";
    }
  }

  /**
   * Changes the configuration file: {@code change} gets its text and gives the new one, under a
   * lock, so that two commands changing it at once both count. The file is checked before it is
   * written (mode 0600, forced), through a symbolic link to where it points.
   */
  private static void changeConfig(EdlinkIdem root, UnaryOperator<String> change) {
    Path file = root.settings().config().path();
    Path lockFile = file.resolveSibling("config.lock");
    try (Closeable lock = waitForLock(lockFile, root.invocation().time())) {
      if (lock == null) {
        throw CliException.usage(
            "another command has been changing " + file + " for 10 s; nothing was changed");
      }
      String text = change.apply(ConfigFile.text(file));
      Path target = Files.isSymbolicLink(file) ? file.toRealPath() : file;
      ConfigFile.parse(file, text);
      PrivateFile.replace(target, text);
    } catch (ConfigFile.Invalid e) {
      throw CliException.usage(e.getMessage() + "; nothing was changed");
    } catch (IOException e) {
      throw new CliException(
          ExitCode.INTERNAL, "cannot write the configuration " + file + ": " + e.getMessage(), e);
    }
  }

  private static void requireKnown(String key) {
    if (!ConfigFile.KEYS.contains(key)) {
      throw CliException.usage(ConfigFile.unknownSetting(key));
    }
  }

  /** The lock, waited for up to 10 s (another config command takes milliseconds); null then. */
  private static Closeable waitForLock(Path lockFile, Time time) throws IOException {
    Closeable lock = FileLocks.tryExclusive(lockFile);
    for (int i = 0; lock == null && i < 500; i++) {
      try {
        time.sleep(Duration.ofMillis(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCode.INTERRUPTED, "interrupted; nothing was changed");
      }
      lock = FileLocks.tryExclusive(lockFile);
    }
    return lock;
  }

  /** {@code config set SETTING VALUE}. */
  @Command(
      name = "set",
      mixinStandardHelpOptions = true,
      description =
          "Set one setting of a profile (--profile, default: default) in the configuration file,"
              + " creating the profile if it has none: base-url, journal, journal-password-file,"
              + " token-file, retries, proxy, noproxy or cacert."
              + " The value is checked first; comments and other lines stay as they are.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  edlink-idem config set base-url https://ed.link --profile ci",
        "  edlink-idem config set retries 6"
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:set",
        "1:the file could not be written",
        "2:unknown setting or invalid value (nothing was changed)"
      })
  static final class Set implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Mixin private SettingName setting;

    @Parameters(index = "1", paramLabel = "VALUE", description = "The setting's value.")
    private String value;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      String key = setting.name;
      String problem = ConfigFile.problemWith(key, value.strip());
      if (problem != null) {
        throw CliException.usage(
            key + " = " + ConfigFile.shown(key, value) + ": " + problem + "; nothing was changed");
      }
      String profile = root.settings().profileName();
      changeConfig(root, text -> ConfigFile.set(text, profile, key, value.strip()));
      if (!root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: "
                    + key
                    + " = "
                    + ConfigFile.shown(key, value.strip())
                    + " in profile "
                    + profile);
      }
      return ExitCode.OK;
    }
  }

  /** {@code config get SETTING}. */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description =
          "Print one setting of a profile (--profile, default: default) as the configuration file"
              + " holds it; nothing when the profile does not set it ('config show' tells what is"
              + " in effect, and from where). A proxy's password is shown as xxxxx.",
      footerHeading = "%nExamples:%n",
      footer = {"  edlink-idem config get base-url --profile ci"},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:printed, or not set", "2:unknown setting or profile"})
  static final class Get implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Mixin private SettingName setting;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      String key = setting.name;
      requireKnown(key);
      String value = root.settings().config().get(root.settings().profile(), key);
      if (value != null) {
        root.invocation().out().println(ConfigFile.shown(setting.name, value));
      }
      return ExitCode.OK;
    }
  }

  /** {@code config unset SETTING}. */
  @Command(
      name = "unset",
      mixinStandardHelpOptions = true,
      description =
          "Remove one setting from a profile (--profile, default: default): the next source of it"
              + " (default, or environment) takes over.",
      footerHeading = "%nExamples:%n",
      footer = {"  edlink-idem config unset retries --profile ci"},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:removed, or was not set",
        "1:the file could not be written",
        "2:unknown setting or profile"
      })
  static final class Unset implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Mixin private SettingName setting;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      String key = setting.name;
      requireKnown(key);
      String profile = root.settings().profile();
      boolean was = root.settings().config().get(profile, key) != null;
      if (was) {
        changeConfig(root, text -> ConfigFile.unset(text, profile, key));
      }
      if (!root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: "
                    + key
                    + (was ? " removed from" : " was not set in")
                    + " profile "
                    + profile);
      }
      return ExitCode.OK;
    }
  }

  /** {@code config list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "List the profiles of the configuration file, one a line, the one in use marked with *.",
      footerHeading = "%nExamples:%n",
      footer = {"  edlink-idem config list"},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:listed", "2:a configuration file that cannot be read"})
  static final class ListProfiles implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Option(
        names = "--names",
        description = "Only the names, one a line, unmarked: for scripts and shell completion.")
    private boolean names;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      List<String> profiles = new ArrayList<>(root.settings().config().profiles());
      if (!profiles.contains("default")) {
        profiles.add(0, "default");
      }
      String inUse = root.settings().profileName();
      PrintWriter out = root.invocation().out();
      for (String profile : profiles) {
        out.println(names ? profile : (profile.equals(inUse) ? "* " : "  ") + profile);
      }
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
      String profile = root.settings().profileName();
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
      if (!profile.equals("default") && !root.settings().config().hasProfile(profile)) {
        // The profile first, so that --profile finds the token; if this fails, nothing is stored.
        changeConfig(root, text -> ConfigFile.withProfile(text, profile));
      }
      Path target = root.settings().tokenFileOf(profile);
      try {
        PrivateFile.replace(target, token + "\n");
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

  /** {@code config set-client}. */
  @Command(
      name = "set-client",
      mixinStandardHelpOptions = true,
      description = {
        "Store what refreshes a profile's user tokens (--profile, default: default): the"
            + " application's client id and client secret, the user's refresh token and,"
            + " optionally, the access token to use until it is refused. A user token expires"
            + " after an hour; when the User API (/api/v2/my/) refuses it, edlink-idem refreshes"
            + " it once at Edlink's token endpoint, stores the new tokens in this file, and sends"
            + " the request again with the same key.",
        "In a script it reads a JSON object from stdin with client_id, client_secret,"
            + " refresh_token and, optionally, access_token (the token set an OAuth login ends"
            + " with, or the sandbox's POST /__sandbox/user-tokens); on a terminal it asks for"
            + " each. The file has mode 0600 and is replaced atomically; nothing in it is ever"
            + " printed or journaled."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  edlink-idem config set-client --profile teacher < token-set.json",
        "  curl -s -X POST http://127.0.0.1:8790/__sandbox/user-tokens \\",
        "    | edlink-idem --profile sandbox-user config set-client"
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:stored",
        "1:the file could not be written",
        "2:a missing or unusable field, or an unknown profile"
      })
  static final class SetClient implements Callable<Integer> {
    @ParentCommand private ConfigCommand parent;

    @Override
    public Integer call() {
      EdlinkIdem root = parent.root;
      String profile = root.settings().profile();
      UserClient client;
      try {
        client =
            root.invocation().terminal().stdin()
                ? asked(root)
                : read(root.invocation().readSecret(""));
      } catch (IOException e) {
        throw CliException.usage("cannot read the client: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw CliException.usage(e.getMessage() + "; nothing was stored");
      }
      Path target = root.settings().userClientFileOf(profile);
      try {
        client.write(target);
      } catch (IOException e) {
        throw new CliException(
            ExitCode.INTERNAL, "cannot store the client in " + target + ": " + e.getMessage(), e);
      }
      if (!root.style().quiet()) {
        root.invocation()
            .err()
            .println(
                "edlink-idem: user client "
                    + client.clientId()
                    + " for profile "
                    + profile
                    + " stored in "
                    + target
                    + " (mode 0600)");
      }
      return ExitCode.OK;
    }

    private static UserClient asked(EdlinkIdem root) throws IOException {
      Invocation invocation = root.invocation();
      String id = invocation.readSecret("Client id (the application's): ").strip();
      String secret = invocation.readSecret("Client secret: ").strip();
      String refresh = invocation.readSecret("Refresh token: ").strip();
      String access =
          invocation.readSecret("Access token (Enter if none; it is got by refreshing): ").strip();
      return new UserClient(id, secret, refresh, access.isEmpty() ? null : access);
    }

    /** A token set as JSON, bare or in Edlink's {@code $data}. */
    private static UserClient read(String text) {
      JsonObject set;
      try {
        JsonElement json = JsonParser.parseString(text);
        set = json.getAsJsonObject();
        if (set.get("$data") instanceof JsonObject data) {
          set = data;
        }
      } catch (JsonParseException | IllegalStateException e) {
        throw new IllegalArgumentException(
            "stdin is not a JSON object with client_id, client_secret and refresh_token");
      }
      String id = field(set, "client_id");
      String secret = field(set, "client_secret");
      String refresh = field(set, "refresh_token");
      for (String[] f :
          new String[][] {
            {"client_id", id}, {"client_secret", secret}, {"refresh_token", refresh}
          }) {
        if (f[1] == null) {
          throw new IllegalArgumentException("the JSON on stdin has no " + f[0]);
        }
      }
      return new UserClient(id, secret, refresh, field(set, "access_token"));
    }

    /** A field's text; null when it is absent, null or blank; refused when it is not text. */
    private static String field(JsonObject o, String name) {
      JsonElement e = o.get(name);
      if (e == null || e.isJsonNull()) {
        return null;
      }
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException("the JSON on stdin has " + name + " that is not text");
      }
      return e.getAsString().isBlank() ? null : e.getAsString().strip();
    }
  }

  /** The SETTING that set, get and unset take first. */
  static final class SettingName {
    @Parameters(
        index = "0",
        paramLabel = "SETTING",
        completionCandidates = SettingNames.class,
        description = "One of: ${COMPLETION-CANDIDATES}.")
    String name;
  }

  /** The settings a profile may hold, for the help and for Tab. */
  public static final class SettingNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return ConfigFile.KEYS.iterator();
    }
  }
}
