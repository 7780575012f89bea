package dev.edlinkidem.cli.render;

import dev.edlinkidem.cli.CommandContext;
import dev.edlinkidem.cli.Invocation;
import java.io.PrintWriter;

/**
 * One line on a terminal's stderr that is drawn again in place as work goes on, and taken away
 * before anything else is printed. Only on a terminal, not with -q, not on TERM=dumb: never in a
 * log file or a pipe.
 */
public final class ProgressLine {
  private final CommandContext root;
  private final boolean enabled;
  private boolean drawn;
  private int width = -1;

  private ProgressLine(CommandContext root, boolean enabled) {
    this.root = root;
    this.enabled = enabled;
  }

  public static ProgressLine on(CommandContext root) {
    Invocation invocation = root.invocation();
    return new ProgressLine(
        root,
        invocation.terminal().stderr()
            && !root.style().quiet()
            && !"dumb".equals(invocation.env("TERM")));
  }

  /** A line that never draws: for what is measured without a terminal. */
  static ProgressLine none() {
    return new ProgressLine(null, false);
  }

  boolean enabled() {
    return enabled;
  }

  /**
   * Draws {@code text} over the line, cut to the terminal's width: a wrapped line could not be
   * taken back.
   */
  public void draw(String text) {
    if (!enabled) {
      return;
    }
    if (width < 0) {
      // Once: finding a terminal's width may start a process.
      int columns = root.invocation().stderrColumns();
      width = columns > 0 ? columns - 1 : 79;
    }
    PrintWriter err = root.invocation().err();
    err.print("\r" + text.substring(0, Math.min(text.length(), width)) + "\u001b[K");
    err.flush();
    drawn = true;
  }

  /** Takes the line away, if it is drawn. */
  void clear() {
    if (drawn) {
      PrintWriter err = root.invocation().err();
      err.print("\r\u001b[K");
      err.flush();
      drawn = false;
    }
  }

  /** Ends the line where it is, so that what follows starts on a line of its own. */
  public void end() {
    if (drawn) {
      root.invocation().err().println();
      drawn = false;
    }
  }
}
