package dev.edlinkidem.config;

import dev.edlinkidem.net.CaFile;
import dev.edlinkidem.net.Network;
import dev.edlinkidem.net.ProxyUrl;
import dev.edlinkidem.net.Proxying;
import dev.edlinkidem.request.Destination;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The settings a command runs with, each from the first place that has it: a flag, else the
 * environment, else the profile in use in the configuration file, else the default. Also where the
 * tool keeps its files (the XDG directories) and where the token comes from.
 */
public final class Settings {
  public static final int DEFAULT_RETRIES = 4;
  public static final String DEFAULT_BASE_URL = "https://ed.link";

  /** A token file is a few hundred bytes; anything this large is the wrong file. */
  private static final int MAX_TOKEN_BYTES = 64 * 1024;

  /** The global flags that name settings, each null when not given. */
  public record Flags(
      String journal, String baseUrl, String profile, String proxy, String noProxy, String caFile) {
    public static final Flags NONE = new Flags(null, null, null);

    public Flags(String journal, String baseUrl, String profile) {
      this(journal, baseUrl, profile, null, null, null);
    }
  }

  /** The variables a proxy for https is read from, in curl's order. */
  private static final List<String> HTTPS_PROXY_VARIABLES =
      List.of("https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY");

  /** The variables a proxy for plain http is read from. */
  private static final List<String> HTTP_PROXY_VARIABLES =
      List.of("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY");

  /** A setting's value and where it came from: flag, environment, profile or default. */
  public record Setting(String value, String source) {}

  private final Flags flags;
  private final Map<String, String> env;
  private final Consumer<String> warn;
  private ConfigFile config;
  private Network network;

  /**
   * @param env the process's environment
   * @param warn told a one-line warning (a file found open to others and closed), without the
   *     tool's name
   */
  public Settings(Flags flags, Map<String, String> env, Consumer<String> warn) {
    this.flags = flags;
    this.env = Map.copyOf(env);
    this.warn = warn;
  }

  public Flags flags() {
    return flags;
  }

  /** Says one warning line (not with -q), without the tool's name. */
  public void warn(String warning) {
    warn.accept(warning);
  }

  /** The profile in use: --profile, else EDLINK_IDEM_PROFILE, else "default". */
  public String profile() {
    return profileSetting().value();
  }

  /**
   * The name of the profile chosen (--profile, EDLINK_IDEM_PROFILE, else default), whether or not
   * the configuration has it yet: what {@code config set} and {@code set-token} create.
   */
  public String profileName() {
    String name = flags.profile() != null ? flags.profile() : env("EDLINK_IDEM_PROFILE");
    if (name == null) {
      return "default";
    }
    if (!ConfigFile.PROFILE_NAME.matcher(name).matches()) {
      throw new SettingsException("'" + name + "' is not a profile name (letters, digits, . _ -)");
    }
    return name;
  }

  /** The profile in use and where it was chosen; an unknown one is refused. */
  public Setting profileSetting() {
    String name = profileName();
    if (flags.profile() == null && env("EDLINK_IDEM_PROFILE") == null) {
      return new Setting("default", "default");
    }
    if (!name.equals("default") && !config().hasProfile(name)) {
      throw new SettingsException("no profile [" + name + "] in " + config().path());
    }
    return new Setting(
        name, flags.profile() != null ? "flag --profile" : "environment EDLINK_IDEM_PROFILE");
  }

  /**
   * The profile's journal-password-file, for a PostgreSQL journal's password, or null when it has
   * none.
   */
  public Path journalPasswordFile() {
    String fromProfile = fromProfile("journal-password-file");
    return fromProfile == null ? null : Path.of(expandHome(fromProfile));
  }

  /** The home directory: HOME, else the JVM's user.home. */
  public Path homeDir() {
    return Path.of(home());
  }

  /** The journal directory; one found open to others is closed to them, with a warning. */
  public Path journalDir() {
    Path dir = Path.of(journalSetting().value());
    // Bodies name students: the journal is the owner's alone.
    PrivateMode.close(dir, "rwx------", warn);
    return dir;
  }

  public Setting journalSetting() {
    if (flags.journal() != null) {
      if (flags.journal().isBlank()) {
        throw new SettingsException("--journal needs a directory, not an empty string");
      }
      // "--journal=~/j" reaches us as typed: a shell expands ~ only at the start of a word.
      return new Setting(expandHome(flags.journal()), "flag --journal");
    }
    String fromEnv = env("EDLINK_IDEM_JOURNAL");
    if (fromEnv != null) {
      return new Setting(expandHome(fromEnv), "environment EDLINK_IDEM_JOURNAL");
    }
    String fromProfile = fromProfile("journal");
    if (fromProfile != null) {
      return new Setting(expandHome(fromProfile), "profile " + profile());
    }
    return new Setting(
        stateDir().toString(),
        xdg("XDG_STATE_HOME") != null ? "default ($XDG_STATE_HOME)" : "default");
  }

  /**
   * The base URL, checked by the token-destination rule: https, or plain http to a loopback host.
   */
  public URI baseUrl() {
    return Destination.baseUrl(baseUrlSetting().value());
  }

  public Setting baseUrlSetting() {
    if (flags.baseUrl() != null) {
      return new Setting(flags.baseUrl(), "flag --base-url");
    }
    String fromEnv = env("EDLINK_BASE_URL");
    if (fromEnv != null) {
      return new Setting(fromEnv, "environment EDLINK_BASE_URL");
    }
    String fromProfile = fromProfile("base-url");
    return fromProfile != null
        ? new Setting(fromProfile, "profile " + profile())
        : new Setting(DEFAULT_BASE_URL, "default");
  }

  /**
   * The way to Edlink these settings give: the proxy, the hosts exempt from it, and the CA file,
   * which is read when a client for https is built ({@link CaFile#at}). Made once.
   */
  public Network network() {
    if (network == null) {
      Setting cas = caFileSetting();
      network =
          new Network(
              proxying(), cas == null ? null : CaFile.at(Path.of(cas.value()), cas.source()));
    }
    return network;
  }

  /** Which requests go through a proxy, by the settings below. */
  public Proxying proxying() {
    Setting https = proxySetting(HTTPS_PROXY_VARIABLES);
    Setting http = proxySetting(HTTP_PROXY_VARIABLES);
    Setting noProxy = noProxySetting();
    return new Proxying(
        https == null ? null : new Proxying.Given(https.value(), https.source()),
        http == null ? null : new Proxying.Given(http.value(), http.source()),
        noProxy == null ? null : new Proxying.Given(noProxy.value(), noProxy.source()),
        flags.proxy() != null || flags.noProxy() != null);
  }

  /**
   * The proxy for https requests as given (with its password, never to be printed: see {@link
   * ProxyUrl#redacted}), and where: --proxy, else the profile's proxy, else the environment as curl
   * reads it; null when none is set. An empty --proxy means none, whatever else says.
   */
  public Setting proxySetting() {
    return proxySetting(HTTPS_PROXY_VARIABLES);
  }

  private Setting proxySetting(List<String> variables) {
    if (flags.proxy() != null) {
      return new Setting(flags.proxy(), "flag --proxy");
    }
    String fromProfile = fromProfile("proxy");
    if (fromProfile != null) {
      return new Setting(fromProfile, "profile " + profile());
    }
    for (String name : variables) {
      String value = env(name);
      if (value != null) {
        return new Setting(value, "environment " + name);
      }
    }
    return null;
  }

  /**
   * The hosts that go direct although a proxy is set: --noproxy, else the profile's noproxy, else
   * no_proxy or NO_PROXY; null when none is set.
   */
  public Setting noProxySetting() {
    if (flags.noProxy() != null) {
      return new Setting(flags.noProxy(), "flag --noproxy");
    }
    String fromProfile = fromProfile("noproxy");
    if (fromProfile != null) {
      return new Setting(fromProfile, "profile " + profile());
    }
    for (String name : List.of("no_proxy", "NO_PROXY")) {
      String value = env(name);
      if (value != null) {
        return new Setting(value, "environment " + name);
      }
    }
    return null;
  }

  /**
   * The file of CAs trusted besides the JDK's: --cacert, else the profile's cacert, else
   * SSL_CERT_FILE; null when none is set.
   */
  public Setting caFileSetting() {
    if (flags.caFile() != null) {
      if (flags.caFile().isBlank()) {
        throw new SettingsException("--cacert needs a file, not an empty string");
      }
      return new Setting(expandHome(flags.caFile()), "flag --cacert");
    }
    String fromProfile = fromProfile("cacert");
    if (fromProfile != null) {
      return new Setting(expandHome(fromProfile), "profile " + profile());
    }
    String fromEnv = env("SSL_CERT_FILE");
    return fromEnv != null ? new Setting(fromEnv, "environment SSL_CERT_FILE") : null;
  }

  /**
   * Attempts after the first: {@code flag} when given, else the profile's, else {@value
   * #DEFAULT_RETRIES}.
   */
  public int retries(Integer flag) {
    if (flag != null) {
      return flag;
    }
    Setting setting = retriesSetting();
    try {
      return Integer.parseInt(setting.value().trim());
    } catch (NumberFormatException e) {
      throw new SettingsException(
          "retries = "
              + setting.value()
              + " in profile "
              + profile()
              + " of "
              + config().path()
              + " is not a whole number");
    }
  }

  /** The retries setting as written, unchecked, and where it came from. */
  public Setting retriesSetting() {
    String fromProfile = fromProfile("retries");
    return fromProfile != null
        ? new Setting(fromProfile, "profile " + profile())
        : new Setting(String.valueOf(DEFAULT_RETRIES), "default");
  }

  /**
   * Where the token comes from: --token-file, else EDLINK_TOKEN, else the profile's token-file,
   * else the token {@code config set-token} stored for the profile; null when there is none. The
   * value is a file's path, or null for the environment variable.
   */
  public Setting tokenSetting(Path tokenFileFlag) {
    if (tokenFileFlag != null) {
      return new Setting(expandHome(tokenFileFlag.toString()), "flag --token-file");
    }
    if (env("EDLINK_TOKEN") != null) {
      return new Setting(null, "environment EDLINK_TOKEN");
    }
    String fromProfile = fromProfile("token-file");
    if (fromProfile != null) {
      return new Setting(expandHome(fromProfile), "profile " + profile() + " token-file");
    }
    UserClient client = userClient();
    if (client != null) {
      return new Setting(
          null,
          "profile "
              + profile()
              + " (config set-client: a user token"
              + (client.accessToken() == null ? ", to be got by refreshing" : "")
              + ", refreshed when refused)");
    }
    Path stored = tokenFileOf(profile());
    PrivateMode.close(stored, "rw-------", warn);
    return Files.exists(stored)
        ? new Setting(stored.toString(), "profile " + profile() + " (config set-token)")
        : null;
  }

  /**
   * Whether the token comes from the profile's user client ({@code config set-client}), which
   * renews it, rather than from a flag, the environment or a file.
   */
  public boolean tokenFromUserClient(Path tokenFileFlag) {
    Setting where = tokenSetting(tokenFileFlag);
    return where != null && where.source().contains("(config set-client");
  }

  /** The token, read from where {@link #tokenSetting} says; never from an option's value. */
  public String token(Path tokenFileFlag) {
    Setting where = tokenSetting(tokenFileFlag);
    if (where == null) {
      throw new SettingsException(
          "no token: set EDLINK_TOKEN, pass --token-file FILE, or run 'edlink-idem config"
              + " set-token'");
    }
    if (tokenFromUserClient(tokenFileFlag)) {
      String token = userClient().accessToken();
      if (token == null) {
        throw new SettingsException(
            "the profile's user client has no access token yet; a post or replay to the User API"
                + " (/api/v2/my/) gets one by refreshing");
      }
      return token;
    }
    String token;
    String source;
    if (where.value() != null) {
      Path file = Path.of(where.value());
      source = "token file " + file;
      try (InputStream in = Files.newInputStream(file)) {
        byte[] bytes = in.readNBytes(MAX_TOKEN_BYTES + 1);
        if (bytes.length > MAX_TOKEN_BYTES) {
          throw new SettingsException(
              "the token file " + file + " is larger than 64 KiB; is it the right file?");
        }
        token = new String(bytes, StandardCharsets.UTF_8).strip();
      } catch (IOException | UncheckedIOException e) {
        throw new SettingsException(
            "cannot read the token file " + file + ": " + Unreadable.why(e));
      }
    } else {
      source = "EDLINK_TOKEN";
      token = env("EDLINK_TOKEN").strip();
    }
    if (token.isEmpty()) {
      throw new SettingsException("the token in " + source + " is empty");
    }
    if (!fitsAHeader(token)) {
      throw new SettingsException(
          "the token in " + source + " holds spaces or characters a header cannot carry");
    }
    return token;
  }

  /**
   * Visible ASCII only: anything else could not go into an Authorization header, or would split it.
   */
  public static boolean fitsAHeader(String token) {
    return token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  /**
   * Where state lives (the default journal, the shell's history): $XDG_STATE_HOME/edlink-idem, else
   * ~/.local/state/edlink-idem.
   */
  public Path stateDir() {
    String state = xdg("XDG_STATE_HOME");
    return state != null
        ? Path.of(state, "edlink-idem")
        : Path.of(home(), ".local", "state", "edlink-idem");
  }

  /** Where the configuration lives: $XDG_CONFIG_HOME/edlink-idem, else ~/.config/edlink-idem. */
  public Path configDir() {
    String config = xdg("XDG_CONFIG_HOME");
    return config != null
        ? Path.of(config, "edlink-idem")
        : Path.of(home(), ".config", "edlink-idem");
  }

  /** Where {@code config set-client} keeps what refreshes a profile's user tokens. */
  public Path userClientFileOf(String profileName) {
    return configDir().resolve("clients").resolve(profileName);
  }

  /**
   * The lock that processes refreshing a profile's user tokens take, one at a time; outside the
   * clients directory, so that no profile's name can be another's lock.
   */
  public Path userClientLockOf(String profileName) {
    return configDir().resolve("locks").resolve("client-" + profileName);
  }

  /**
   * The profile's user client ({@code config set-client}), or null when it has none; a file found
   * open to others is closed to them, with a warning.
   */
  public UserClient userClient() {
    Path file = userClientFileOf(profile());
    PrivateMode.close(file.getParent(), "rwx------", warn);
    PrivateMode.close(file, "rw-------", warn);
    return UserClient.read(file);
  }

  /** Where {@code config set-token} keeps a profile's token. */
  public Path tokenFileOf(String profileName) {
    return configDir().resolve("tokens").resolve(profileName);
  }

  /** The configuration file, read once; one open to others is closed to them, with a warning. */
  public ConfigFile config() {
    if (config == null) {
      Path path = configDir().resolve("config");
      PrivateMode.close(path, "rw-------", warn);
      try {
        config = ConfigFile.read(path);
      } catch (ConfigFile.Invalid e) {
        throw new SettingsException(e.getMessage());
      }
    }
    return config;
  }

  /** {@code ~} and {@code ~/...} as the shell expands them. */
  public String expandHome(String path) {
    return path.equals("~") ? home() : path.startsWith("~/") ? home() + path.substring(1) : path;
  }

  private String fromProfile(String key) {
    return config().get(profile(), key);
  }

  private String home() {
    String home = env("HOME");
    return home != null ? home : System.getProperty("user.home");
  }

  /** An XDG base directory; the XDG rules say a relative one is to be ignored. */
  private String xdg(String name) {
    String dir = env(name);
    return dir != null && Path.of(dir).isAbsolute() ? dir : null;
  }

  /** An environment variable, or null when it is unset or empty. */
  private String env(String name) {
    String value = env.get(name);
    return value == null || value.isEmpty() ? null : value;
  }
}
