package dev.edlinkidem.cli;

import dev.edlinkidem.cli.render.Style;
import dev.edlinkidem.config.Settings;

/**
 * What the helpers of a command take from the command line it was run by: the invocation, the
 * settings and the style. The root command is one; options and printers see no more of it.
 */
public interface CommandContext {
  Invocation invocation();

  /** The settings this command line and the environment give, by their precedence. */
  Settings settings();

  /** How much to say on stderr, and whether in colour. */
  Style style();
}
