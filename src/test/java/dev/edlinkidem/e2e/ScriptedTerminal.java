package dev.edlinkidem.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.ExternalTerminal;

/**
 * A JLine terminal driven by a script: what the test types goes in, what the shell draws is kept.
 */
final class ScriptedTerminal implements AutoCloseable {
  /** Keystrokes typed by the test; read by the terminal as if from a keyboard. */
  private static final class Keyboard extends InputStream {
    private final LinkedBlockingQueue<Integer> keys = new LinkedBlockingQueue<>();

    void type(byte[] bytes) {
      for (byte b : bytes) {
        keys.add(b & 0xff);
      }
    }

    void close(boolean eof) {
      keys.add(-1);
    }

    @Override
    public int read() throws IOException {
      try {
        return keys.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException();
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int first = read();
      if (first < 0) {
        return -1;
      }
      b[off] = (byte) first;
      int n = 1;
      Integer next;
      while (n < len && (next = keys.peek()) != null && next >= 0) {
        b[off + n++] = (byte) (int) keys.poll();
      }
      return n;
    }

    @Override
    public int available() {
      return keys.size();
    }
  }

  private final Keyboard keyboard = new Keyboard();
  private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
  private final Object lock = new Object();
  final Terminal terminal;

  ScriptedTerminal() throws IOException {
    java.io.OutputStream out =
        new java.io.OutputStream() {
          @Override
          public void write(int b) {
            synchronized (lock) {
              screen.write(b);
            }
          }

          @Override
          public void write(byte[] b, int off, int len) {
            synchronized (lock) {
              screen.write(b, off, len);
            }
          }
        };
    // ExternalTerminal runs the line discipline in Java, so a typed Ctrl-C raises INT as a real
    // terminal's driver would; TerminalBuilder would put a pty in between that nobody owns.
    terminal =
        new ExternalTerminal("scripted", "xterm-256color", keyboard, out, StandardCharsets.UTF_8);
    terminal.setSize(new Size(200, 50));
  }

  void type(String keys) {
    keyboard.type(keys.getBytes(StandardCharsets.UTF_8));
  }

  /** Everything drawn so far, with the terminal's escape sequences taken out. */
  String screen() {
    String raw;
    synchronized (lock) {
      raw = screen.toString(StandardCharsets.UTF_8);
    }
    return raw.replaceAll("\u001B\\[[0-9;?>=]*[ -/]*[@-~]", "")
        .replaceAll("\u001B[()][0-9A-Za-z]", "")
        .replaceAll("\u001B[=>78]", "")
        .replace("\r", "");
  }

  /** Where the screen ends now: text after this mark is new. */
  int mark() {
    return screen().length();
  }

  /**
   * Waits until {@code text} appears after {@code mark}; fails with the screen when it does not.
   */
  void waitFor(int mark, String text) {
    waitUntil(() -> screen().indexOf(text, mark) >= 0, "'" + text + "' on the screen");
  }

  void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        String raw;
        synchronized (lock) {
          raw = screen.toString(StandardCharsets.UTF_8);
        }
        fail(
            "no "
                + what
                + " within 20 s; screen:\n"
                + screen()
                + "\n--- as drawn:\n"
                + raw.replace("\u001B", "ESC").replace("\r", "\\r"));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for " + what);
      }
    }
  }

  @Override
  public void close() throws IOException {
    keyboard.close(true);
    terminal.close();
  }
}
