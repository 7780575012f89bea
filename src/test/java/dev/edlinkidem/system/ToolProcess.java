package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged jar run as a process, with HOME and every XDG directory under a test's directory,
 * and no EDLINK_ or PG setting, proxy or CA file from the environment the tests run in unless
 * given. Several threads may run processes through one instance at once.
 */
public final class ToolProcess {
  /** The variables a user's environment could bring into a run that the test did not choose. */
  private static final List<String> AMBIENT =
      List.of(
          "https_proxy",
          "HTTPS_PROXY",
          "http_proxy",
          "HTTP_PROXY",
          "all_proxy",
          "ALL_PROXY",
          "no_proxy",
          "NO_PROXY",
          "SSL_CERT_FILE",
          "NO_COLOR",
          "JAVA_TOOL_OPTIONS");

  private final Path home;
  private final List<Process> started = Collections.synchronizedList(new ArrayList<>());

  /** What one run printed, and how it ended. */
  public record Ran(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  public ToolProcess(Path home) {
    this.home = home;
  }

  /** The jar failsafe packaged. */
  public static String jar() {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    return jar;
  }

  /** A process of the tool, not started. */
  public ProcessBuilder builder(Map<String, String> env, String... args) {
    return builder(env, List.of(), args);
  }

  /** A process of the tool with {@code jvm} options, not started. */
  public ProcessBuilder builder(Map<String, String> env, List<String> jvm, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(jvm);
    command.addAll(List.of("-jar", jar()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> e = pb.environment();
    // PG: a developer's PGUSER, PGPASSWORD or PGSSLMODE would reach a PostgreSQL journal's driver.
    e.keySet()
        .removeIf(
            k ->
                k.startsWith("EDLINK")
                    || k.startsWith("XDG_")
                    || k.startsWith("PG")
                    || AMBIENT.contains(k));
    e.put("HOME", home.resolve("home").toString());
    e.put("XDG_CONFIG_HOME", home.resolve("config").toString());
    e.put("XDG_STATE_HOME", home.resolve("state").toString());
    e.put("XDG_CACHE_HOME", home.resolve("cache").toString());
    e.put("XDG_DATA_HOME", home.resolve("data").toString());
    e.putAll(env);
    return pb;
  }

  /** Starts a process that runs until {@link #close}, such as a sandbox. */
  public Process start(Map<String, String> env, String... args) throws IOException {
    Process p = builder(env, args).start();
    started.add(p);
    return p;
  }

  /** Runs the tool to its end, with nothing on stdin. */
  public Ran run(Map<String, String> env, String... args) throws Exception {
    return run(env, List.of(), null, args);
  }

  /** Runs the tool with {@code jvm} options to its end, {@code stdin} (or nothing) on its stdin. */
  public Ran run(Map<String, String> env, List<String> jvm, String stdin, String... args)
      throws Exception {
    Process p = builder(env, jvm, args).start();
    started.add(p);
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    byte[][] err = new byte[1][];
    Thread errReader = new Thread(() -> err[0] = readQuietly(p.getErrorStream()));
    errReader.start();
    byte[] out = p.getInputStream().readAllBytes();
    errReader.join(TimeUnit.SECONDS.toMillis(120));
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process did not end: " + List.of(args));
    return new Ran(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err[0], StandardCharsets.UTF_8));
  }

  /** Starts a process of {@code builder} that runs until {@link #close}. */
  public Process start(ProcessBuilder builder) throws IOException {
    Process p = builder.start();
    started.add(p);
    return p;
  }

  /**
   * Stops every process this started: SIGTERM first, so that a sandbox runs its shutdown hook, then
   * SIGKILL for any still there after 5 seconds.
   */
  public void close() {
    List<Process> all;
    synchronized (started) {
      all = List.copyOf(started);
    }
    all.forEach(Process::destroy);
    for (Process p : all) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  private static byte[] readQuietly(InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
