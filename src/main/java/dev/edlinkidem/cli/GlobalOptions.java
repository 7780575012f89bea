package dev.edlinkidem.cli;

import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The options every command accepts, given before or after its name, and what they make: the
 * settings, the style of stderr, and the same options again as arguments for the shell.
 */
public final class GlobalOptions {
  @Option(
      names = "--journal",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Journal directory or postgres://USER@HOST:PORT/DB (a PostgreSQL journal, its"
              + " password from PGPASSWORD, the profile's journal-password-file or ~/.pgpass;"
              + " env EDLINK_IDEM_JOURNAL; default $XDG_STATE_HOME/edlink-idem or"
              + " ~/.local/state/edlink-idem).")
  // A String, not a Path: a Path reads postgres://host as postgres:/host.
  private String journal;

  @Option(
      names = "--base-url",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = "Edlink base URL (env EDLINK_BASE_URL; default https://ed.link).")
  private String baseUrl;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description =
          "Settings profile from the configuration file (env EDLINK_IDEM_PROFILE; default:"
              + " default).")
  private String profile;

  @Option(
      names = "--proxy",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description =
          "Send through this HTTP proxy, http://[USER:PASSWORD@]HOST[:PORT] (default: the"
              + " profile's proxy, else https_proxy, HTTPS_PROXY, all_proxy or ALL_PROXY; \"\""
              + " for none). Requests go through a CONNECT tunnel: the proxy sees the host, never"
              + " the token. Loopback hosts go through it only when this or --noproxy is given.")
  private String proxy;

  @Option(
      names = "--noproxy",
      paramLabel = "HOSTS",
      scope = ScopeType.INHERIT,
      description =
          "Hosts that go direct, as curl reads NO_PROXY: names (a name matches the names under"
              + " it too), IP addresses and CIDR ranges, comma-separated; * for every host; \"\""
              + " for none, loopback included (default: the profile's noproxy, else no_proxy or"
              + " NO_PROXY).")
  private String noProxy;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "Also trust the CA certificates in FILE (PEM), besides the JDK's: a proxy's that"
              + " re-signs TLS, or the sandbox's (default: the profile's cacert, else"
              + " SSL_CERT_FILE). Certificates and host names are always checked.")
  private String caFile;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      scope = ScopeType.INHERIT,
      description =
          "auto, always or never (NO_COLOR set means never; default auto: only on a terminal).")
  private Style.ColorMode color;

  @Option(
      names = {"-q", "--quiet"},
      scope = ScopeType.INHERIT,
      description = "Say nothing on stderr when all went well.")
  private boolean quiet;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Say more on stderr: each attempt, and stack traces of internal errors.")
  private boolean verbose;

  private Settings settings;

  /**
   * The settings these options and the environment give, by their precedence; made once, so a
   * warning about them is printed once.
   */
  Settings settings(Invocation invocation) {
    if (settings == null) {
      Settings.Flags flags = new Settings.Flags(journal, baseUrl, profile, proxy, noProxy, caFile);
      settings =
          new Settings(
              flags,
              invocation.environment(),
              warning -> {
                if (!style(invocation).quiet()) {
                  invocation.err().println("edlink-idem: warning: " + warning);
                }
              });
    }
    return settings;
  }

  /** How much to say on stderr, and whether in colour. */
  Style style(Invocation invocation) {
    boolean noColor = invocation.env("NO_COLOR") != null || "dumb".equals(invocation.env("TERM"));
    return new Style(
        quiet && !verbose, verbose, color != null ? color : Style.ColorMode.AUTO, noColor);
  }

  /** The options given, as arguments again. */
  List<String> asArgs() {
    List<String> args = new ArrayList<>();
    if (journal != null) {
      args.addAll(List.of("--journal", journal));
    }
    if (baseUrl != null) {
      args.addAll(List.of("--base-url", baseUrl));
    }
    if (profile != null) {
      args.addAll(List.of("--profile", profile));
    }
    if (proxy != null) {
      args.addAll(List.of("--proxy", proxy));
    }
    if (noProxy != null) {
      args.addAll(List.of("--noproxy", noProxy));
    }
    if (caFile != null) {
      args.addAll(List.of("--cacert", caFile));
    }
    if (color != null) {
      args.addAll(List.of("--color", color.name().toLowerCase(Locale.ROOT)));
    }
    if (quiet) {
      args.add("--quiet");
    }
    if (verbose) {
      args.add("--verbose");
    }
    return args;
  }
}
