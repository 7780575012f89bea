package dev.edlinkidem.e2e;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.time.Time;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;

/** Runs the real command line in this JVM with captured streams and a chosen environment. */
public final class Cli {
  /** What one run printed and returned. */
  public record Result(int code, byte[] stdout, String err) {
    public String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out() + "\n--- stderr\n" + err;
    }
  }

  private final Map<String, String> env = new HashMap<>();
  private Invocation.Terminal terminal = Invocation.Terminal.NONE;
  private byte[] stdin = new byte[0];
  private Invocation.Interrupts interrupts = Invocation.Interrupts.NONE;
  private Time time = Time.SYSTEM;

  public Cli env(String name, String value) {
    if (value == null) {
      env.remove(name);
    } else {
      env.put(name, value);
    }
    return this;
  }

  public Cli terminal(Invocation.Terminal t) {
    this.terminal = t;
    return this;
  }

  public Cli stdin(String text) {
    this.stdin = text.getBytes(StandardCharsets.UTF_8);
    return this;
  }

  public Cli stdin(byte[] bytes) {
    this.stdin = bytes.clone();
    return this;
  }

  /** Where the command registers what Ctrl-C prints; a test fires it when it chooses. */
  public Cli interrupts(Invocation.Interrupts i) {
    this.interrupts = i;
    return this;
  }

  /** The clock the command journals by: a test's, set ahead or behind. */
  public Cli time(Time t) {
    this.time = t;
    return this;
  }

  public Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Invocation invocation =
        new Invocation(
                new ByteArrayInputStream(stdin), out, err, env, terminal, new SecureRandom(), time)
            .withInterrupts(interrupts);
    int code = Main.run(invocation, args);
    invocation.out().flush();
    invocation.err().flush();
    return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }
}
