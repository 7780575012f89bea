package dev.edlinkidem.startup;

import dev.edlinkidem.cli.Invocation;
import dev.edlinkidem.cli.Main;
import dev.edlinkidem.edlink.EdlinkClient;
import dev.edlinkidem.sandbox.Faults;
import dev.edlinkidem.sandbox.SandboxServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Runs the commands a person or a CI job runs most, once each, so that the JVM can list the classes
 * they load ({@code -XX:DumpLoadedClassList}) for the class-data-sharing archive that {@code
 * scripts/edlink-idem} makes; not a command.
 *
 * <pre>
 * java -XX:DumpLoadedClassList=FILE -cp edlink-idem.jar dev.edlinkidem.startup.Training
 * </pre>
 *
 * <p>Everything happens in a throwaway directory with a made-up token, against a sandbox in this
 * JVM on a loopback port: no user's journal, profile or token is read, and nothing goes to the
 * network. One JVM, not one per command: the JDK's class list names each class once. Exits 0 when
 * every command ended as expected, else 1 with what went wrong on stderr.
 */
public final class Training {
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/7a1c4e2b-3d5f-4a6b-9c8d-0e1f2a3b4c5d/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"Chapter 3\","
          + "\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";
  private static final String KEY = "training-1";

  /** One command line and the exit code it must end with. */
  record Step(int expectedCode, String... args) {}

  private Training() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("edlink-idem-training");
    int code;
    try {
      code = run(dir, System.err) ? 0 : 1;
    } finally {
      deleteTree(dir);
    }
    EdlinkClient.stopSelectorsBeforeExit();
    System.exit(code);
  }

  /**
   * Runs every step in {@code dir}; true when all ended as expected. Failures are told to {@code
   * err}.
   */
  static boolean run(Path dir, PrintStream err) throws IOException {
    Files.createDirectories(dir.resolve("home"));
    Files.writeString(dir.resolve("assignment.json"), ESSAY);
    try (SandboxServer sandbox =
        SandboxServer.start("127.0.0.1", 0, null, Faults.NONE, 1, line -> {})) {
      // The flags as well as the environment: a flag wins over every profile.
      String journal = dir.resolve("journal").toString();
      String baseUrl = sandbox.baseUrl().toString();
      Map<String, String> env =
          Map.of(
              "HOME",
              dir.resolve("home").toString(),
              "XDG_CONFIG_HOME",
              dir.resolve("config").toString(),
              "XDG_STATE_HOME",
              dir.resolve("state").toString(),
              "EDLINK_TOKEN",
              "training-token-not-a-real-one",
              "EDLINK_BASE_URL",
              baseUrl,
              "EDLINK_IDEM_JOURNAL",
              journal);
      processInvocation();
      boolean ok = true;
      for (Step step : steps(journal, baseUrl, dir.resolve("assignment.json"))) {
        ok &= runStep(step, env, err);
      }
      ok &= loadPostgresClasses(err);
      return ok;
    }
  }

  static List<Step> steps(String journal, String baseUrl, Path body) {
    String data = "@" + body;
    return List.of(
        new Step(0, "--version"),
        new Step(0, "--help"),
        new Step(0, "keygen", "-n", "3"),
        new Step(2, "keygen", "--no-such-option"),
        new Step(
            0,
            "post",
            ASSIGNMENTS,
            "-d",
            ESSAY,
            "--dry-run",
            "--journal",
            journal,
            "--base-url",
            baseUrl),
        new Step(
            0,
            "post",
            ASSIGNMENTS,
            "-d",
            data,
            "-k",
            KEY,
            "--journal",
            journal,
            "--base-url",
            baseUrl),
        new Step(
            0,
            "post",
            ASSIGNMENTS,
            "-d",
            data,
            "-k",
            KEY,
            "-q",
            "--journal",
            journal,
            "--base-url",
            baseUrl),
        new Step(0, "post", ASSIGNMENTS, "-d", ESSAY, "--journal", journal, "--base-url", baseUrl),
        new Step(
            4,
            "post",
            ASSIGNMENTS,
            "-d",
            "{\"title\":\"No due date\"}",
            "--journal",
            journal,
            "--base-url",
            baseUrl),
        new Step(0, "list", "--journal", journal),
        new Step(0, "list", "--format", "keys", "--state", "pending", "--journal", journal),
        new Step(0, "show", KEY, "--journal", journal),
        new Step(0, "expiring", "--journal", journal),
        new Step(0, "replay", KEY, "--journal", journal, "--base-url", baseUrl),
        // No server listens on port 1: the URL, the password's lookup and the driver's way to a
        // refused connection, which a PostgreSQL journal's every command takes first.
        new Step(1, "list", "--journal", "postgres://training@127.0.0.1:1/training"));
  }

  /** Where the classes a PostgreSQL journal needs are: the driver's, and the journal's own. */
  private static final List<String> POSTGRES_PACKAGES =
      List.of("org/postgresql/", "dev/edlinkidem/journal/postgres/");

  /**
   * Loads, without running any of their code, every class of the PostgreSQL driver and journal, so
   * that the class list (and the archive made from it) holds them: no server is here to run a
   * PostgreSQL journal's commands against, and without the archive a command on one loads some 430
   * classes from the jar (about 100 ms of its start, measured with -Xlog:class+load). A class that
   * cannot be loaded here (one for an optional library the jar leaves out) is passed over: it stays
   * out of the archive, as it is out of every command. Classes the archive holds cost a command
   * that does not use them nothing. False when none of the driver's were found.
   */
  static boolean loadPostgresClasses(PrintStream err) {
    ClassLoader loader = Training.class.getClassLoader();
    int loaded = 0;
    Set<Path> places = new LinkedHashSet<>();
    for (Class<?> anchor : List.of(org.postgresql.Driver.class, Training.class)) {
      try {
        places.add(Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()));
      } catch (URISyntaxException | RuntimeException e) {
        err.println("training: cannot tell where " + anchor.getName() + " is: " + e);
      }
    }
    for (Path place : places) {
      for (String name : classNames(place, err)) {
        try {
          Class.forName(name, false, loader);
          loaded++;
        } catch (ClassNotFoundException | LinkageError e) {
          // For a library the jar leaves out (OSGi, Waffle): no command loads it either.
        }
      }
    }
    if (loaded == 0) {
      err.println("training: no class of the PostgreSQL driver was found in " + places);
      return false;
    }
    return true;
  }

  /** The binary names of the classes under {@link #POSTGRES_PACKAGES} in a jar or a directory. */
  private static List<String> classNames(Path place, PrintStream err) {
    List<String> paths = new ArrayList<>();
    try {
      if (Files.isDirectory(place)) {
        try (Stream<Path> files = Files.walk(place)) {
          files.forEach(f -> paths.add(place.relativize(f).toString().replace('\\', '/')));
        }
      } else {
        try (JarFile jar = new JarFile(place.toFile())) {
          jar.stream().forEach(e -> paths.add(e.getName()));
        }
      }
    } catch (IOException e) {
      err.println("training: cannot read " + place + ": " + e);
    }
    return paths.stream()
        .filter(p -> p.endsWith(".class") && POSTGRES_PACKAGES.stream().anyMatch(p::startsWith))
        .filter(p -> !p.endsWith("module-info.class") && !p.endsWith("package-info.class"))
        .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
        .toList();
  }

  /**
   * Makes the process's own invocation, as {@code main} does, and arms and disarms its interrupt
   * message as a post does: the cache then holds their lambdas, which each cost a cold command the
   * JDK's making of lambda classes otherwise (about 10 ms, measured with -Xlog:class+load). Nothing
   * is read or written.
   */
  private static void processInvocation() {
    Invocation.system().onInterrupt(() -> {}).run();
  }

  private static boolean runStep(Step step, Map<String, String> env, PrintStream err) {
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Invocation invocation =
        new Invocation(
            InputStream.nullInputStream(),
            OutputStream.nullOutputStream(),
            stderr,
            env,
            Invocation.Terminal.NONE,
            new SecureRandom());
    int code = Main.run(invocation, step.args());
    invocation.err().flush();
    if (code == step.expectedCode()) {
      return true;
    }
    err.println(
        "training: '"
            + String.join(" ", step.args())
            + "' exited "
            + code
            + ", not "
            + step.expectedCode()
            + ": "
            + stderr.toString(StandardCharsets.UTF_8).strip());
    return false;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
