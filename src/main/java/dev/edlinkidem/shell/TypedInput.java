package dev.edlinkidem.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;

/**
 * What a command run in the shell reads as stdin ({@code -d @-}, a [y/N] answer): lines typed on
 * the shell's terminal, as a terminal driver would give them. Ctrl-D on an empty line ends the
 * input; Ctrl-C interrupts the read. The terminal's own stream would do neither: JLine reads it in
 * the background and never reports its end.
 */
final class TypedInput extends InputStream {
  private final LineReader lines;
  private byte[] buffer = new byte[0];
  private int next;
  private boolean ended;

  TypedInput(Terminal terminal) {
    this.lines =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .variable(LineReader.HISTORY_SIZE, 0)
            .build();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (next == buffer.length && !fill()) {
      return -1;
    }
    int n = Math.min(len, buffer.length - next);
    System.arraycopy(buffer, next, b, off, n);
    next += n;
    return n;
  }

  private boolean fill() throws IOException {
    if (ended) {
      return false;
    }
    try {
      buffer = (lines.readLine("") + "\n").getBytes(StandardCharsets.UTF_8);
      next = 0;
      return true;
    } catch (EndOfFileException e) {
      ended = true;
      return false;
    } catch (UserInterruptException e) {
      throw new InterruptedIOException("interrupted");
    }
  }
}
