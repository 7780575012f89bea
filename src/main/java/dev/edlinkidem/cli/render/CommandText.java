package dev.edlinkidem.cli.render;

import dev.edlinkidem.config.Settings;
import dev.edlinkidem.net.ProxyUrl;
import java.util.List;

/** Command lines the tool tells the user to run, quoted so that they can be pasted into a shell. */
public final class CommandText {
  private CommandText() {}

  /**
   * The exact command that replays {@code key} (or {@code --all-pending}) with the settings this
   * run was given on its command line; a proxy's password given there is shown as xxxxx.
   *
   * @param sendArgs the options a replay needs to reach the same host with the same token
   */
  public static String replay(Settings.Flags flags, String key, List<String> sendArgs) {
    return command(flags, "replay", key, sendArgs);
  }

  /** The exact command that reconciles {@code key} with this run's settings. */
  public static String reconcile(Settings.Flags flags, String key) {
    return command(flags, "reconcile", key, List.of());
  }

  private static String command(
      Settings.Flags flags, String command, String key, List<String> sendArgs) {
    StringBuilder b = new StringBuilder("edlink-idem");
    if (flags.journal() != null) {
      b.append(" --journal ").append(shellQuote(flags.journal()));
    }
    if (flags.baseUrl() != null) {
      b.append(" --base-url ").append(shellQuote(flags.baseUrl()));
    }
    if (flags.profile() != null) {
      b.append(" --profile ").append(shellQuote(flags.profile()));
    }
    if (flags.proxy() != null) {
      // A password is shown as xxxxx: the line is for a person to fill in, not for a log to keep.
      b.append(" --proxy ").append(shellQuote(ProxyUrl.redact(flags.proxy())));
    }
    if (flags.noProxy() != null) {
      b.append(" --noproxy ").append(shellQuote(flags.noProxy()));
    }
    if (flags.caFile() != null) {
      b.append(" --cacert ").append(shellQuote(flags.caFile()));
    }
    b.append(' ').append(command).append(' ').append(key);
    sendArgs.forEach(arg -> b.append(' ').append(shellQuote(arg)));
    return b.toString();
  }

  static String shellQuote(String s) {
    return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
