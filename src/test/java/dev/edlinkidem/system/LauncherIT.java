package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.cli.GlobalOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The launcher, scripts/edlink-idem, as a process: a copy of it beside a copy of the packaged jar
 * (as installed), with its class-data-sharing archive, without one, and with one that does not fit
 * this JDK or is not an archive at all. Every time, the command works and says nothing more than it
 * would have.
 */
class LauncherIT {
  private static final Pattern KEYS = Pattern.compile("([0-9A-Za-z]{32}\n){3}");
  private static final Duration MAKING = Duration.ofMinutes(3);
  private static final Path THIS_JDK = Path.of(System.getProperty("java.home"));

  /**
   * One install whose archives, for this JDK and for the other one, are made once for the tests
   * that need them.
   */
  @TempDir static Path shared;

  private static Install made;
  private static Path thisJdkArchive;

  @TempDir Path tmp;

  private final List<Install> installs = new ArrayList<>();

  @BeforeAll
  static void makeTheSharedArchive() throws Exception {
    made = new Install(shared);
    made.run(THIS_JDK, Map.of(), "--version");
    thisJdkArchive = made.awaitNewArchive(Set.of());
  }

  /** A maker still running in the background must not write into a directory being deleted. */
  @AfterEach
  void awaitMakers() throws Exception {
    for (Install install : installs) {
      install.awaitNoMaker();
    }
    made.awaitNoMaker();
  }

  private Install freshInstall() throws IOException {
    Install install = new Install(tmp);
    installs.add(install);
    return install;
  }

  @Test
  void withoutAnArchiveTheCommandRunsFromTheJarAndTheArchiveIsMadeAfterIt() throws Exception {
    Install install = freshInstall();
    Ran keys = install.runLoggingClasses(THIS_JDK, Map.of(), "keygen", "-n", "3");
    assertEquals(0, keys.code(), keys.err());
    assertTrue(KEYS.matcher(keys.out()).matches(), keys.out());
    assertEquals("", keys.err());
    assertEquals(Optional.of("jar"), keys.sourceOf("dev.edlinkidem.cli.Main"));

    Ran version = install.run(THIS_JDK, Map.of(), "--version");
    assertEquals(0, version.code(), version.err());
    assertTrue(version.out().matches("edlink-idem \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
    assertEquals("", version.err());

    Path archive = install.awaitNewArchive(Set.of());
    assertTrue(Files.size(archive) > 1_000_000, archive + " is " + Files.size(archive) + " bytes");
  }

  @Test
  void theBackgroundMakerCarriesNoTokenOrOtherSecret() throws Exception {
    String canary = "sk-canary-" + System.nanoTime();
    Install install = freshInstall();
    Ran keys =
        install.run(
            THIS_JDK,
            Map.of("EDLINK_TOKEN", canary, "EDLINK_CLIENT_SECRET", canary, "MY_PASSWORD", canary),
            "keygen");
    assertEquals(0, keys.code(), keys.err());
    // The maker outlives the command: look at every process while it runs, until it is done.
    int looked = 0;
    do {
      looked += assertNoProcessCarries(canary);
      Thread.sleep(50);
    } while (!install.matching("*.lock").isEmpty());
    assertTrue(looked > 0, "the maker was seen running");
    install.awaitNewArchive(Set.of());
  }

  /** Fails when a process's environment holds {@code secret}; returns how many were read. */
  private static int assertNoProcessCarries(String secret) throws IOException {
    int read = 0;
    byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        byte[] environ;
        try {
          environ = Files.readAllBytes(proc.resolve("environ"));
        } catch (IOException e) {
          continue; // gone, or not ours
        }
        read++;
        for (int i = 0; i + needle.length <= environ.length; i++) {
          if (Arrays.equals(environ, i, i + needle.length, needle, 0, needle.length)) {
            String cmdline = "?";
            try {
              cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
            } catch (IOException e) {
              // gone
            }
            throw new AssertionError("process " + proc.getFileName() + " carries it: " + cmdline);
          }
        }
      }
    }
    return read;
  }

  @Test
  void withTheArchiveTheClassesComeFromIt() throws Exception {
    Ran keys = made.runLoggingClasses(THIS_JDK, Map.of(), "keygen", "-n", "3");
    assertEquals(0, keys.code(), keys.err());
    assertTrue(KEYS.matcher(keys.out()).matches(), keys.out());
    assertEquals("", keys.err());
    assertEquals(Optional.of("archive"), keys.sourceOf("dev.edlinkidem.cli.Main"));
    if (Runtime.version().feature() == 17) {
      // Picocli's classes are Java 5's: JDK 17 archives them from a class list; JDK 25 links
      // them while it dumps, and then leaves them out.
      assertEquals(Optional.of("archive"), keys.sourceOf("picocli.CommandLine"));
    }
    assertEquals(Optional.of("archive"), keys.sourceOf("java.lang.Object"));
  }

  /**
   * list and expiring keep a summary of every entry they show, and start with a first heap of 64
   * MiB; other commands keep the small one, which bounds the memory a huge answer takes.
   */
  @Test
  void listAndExpiringStartWithALargerFirstHeap() throws Exception {
    Map<String, String> env =
        Map.of(
            "EDLINK_IDEM_JAVA_OPTS",
            "-XX:+PrintCommandLineFlags",
            "EDLINK_IDEM_JOURNAL",
            tmp.resolve("journal").toString());
    String larger = "-XX:InitialHeapSize=" + (64 << 20) + " ";
    String small = "-XX:InitialHeapSize=" + (16 << 20) + " ";
    List<List<String>> commands =
        List.of(
            List.of("list"),
            List.of("expiring"),
            List.of("--journal", tmp.resolve("other").toString(), "list", "--format", "keys"),
            List.of("keygen"),
            List.of("show", "--help"));
    for (List<String> command : commands) {
      Ran ran = made.run(THIS_JDK, env, command.toArray(String[]::new));
      assertEquals(0, ran.code(), command + ": " + ran.err());
      boolean lists = command.contains("list") || command.contains("expiring");
      assertTrue(ran.out().contains(lists ? larger : small), command + ": " + ran.out());
    }
    // Whatever global option comes first, with its value.
    for (OptionSpec option : CommandSpec.forAnnotatedObject(new GlobalOptions()).options()) {
      if (option.arity().max() == 0) {
        continue;
      }
      String name = option.longestName();
      Ran ran = made.run(THIS_JDK, env, name, tmp.resolve("value").toString(), "list");
      assertTrue(ran.out().contains(larger), name + " VALUE list: " + ran.out() + ran.err());
    }
    // A heap the user caps below 64 MiB is theirs: java would not start with a larger first one.
    for (String variable : List.of("EDLINK_IDEM_JAVA_OPTS", "JAVA_TOOL_OPTIONS")) {
      Ran ran =
          made.run(
              THIS_JDK,
              Map.of(variable, "-Xmx48m", "EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString()),
              "expiring");
      assertEquals(0, ran.code(), variable + "=-Xmx48m expiring: " + ran.err());
    }
  }

  @Test
  void offNeitherUsesNorMakesAnArchive() throws Exception {
    Map<String, String> off = Map.of("EDLINK_IDEM_CDS", "off");
    Ran withArchive = made.runLoggingClasses(THIS_JDK, off, "keygen", "-n", "3");
    assertEquals(0, withArchive.code(), withArchive.err());
    assertEquals(Optional.of("jar"), withArchive.sourceOf("dev.edlinkidem.cli.Main"));

    Install install = freshInstall();
    Ran keys = install.run(THIS_JDK, off, "keygen", "-n", "3");
    assertEquals(0, keys.code(), keys.err());
    assertTrue(KEYS.matcher(keys.out()).matches(), keys.out());
    // The launcher takes the maker's lock before java starts: none means none was started.
    assertEquals(List.of("edlink-idem", "edlink-idem.jar"), install.files());
  }

  @Test
  void anArchiveOlderThanTheJarIsNotUsedButMadeAgain() throws Exception {
    Install install = freshInstall();
    install.run(THIS_JDK, Map.of(), "--version");
    Path archive = install.awaitNewArchive(Set.of());

    // The jar rebuilt in the same minute, to the same size: the name still fits, the times do not.
    Files.setLastModifiedTime(
        archive, FileTime.fromMillis(Files.getLastModifiedTime(install.jar()).toMillis() - 60_000));
    assertEquals(Optional.of("jar"), install.keygen().sourceOf("dev.edlinkidem.cli.Main"));
    assertEquals(archive, install.awaitNewArchive(Set.of()));
    assertEquals(Optional.of("archive"), install.keygen().sourceOf("dev.edlinkidem.cli.Main"));

    // The jar rebuilt with other contents: another name; the old archive is removed once the new
    // one is made.
    Files.setLastModifiedTime(archive, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    try (FileSystem jar = FileSystems.newFileSystem(install.jar())) {
      Files.writeString(jar.getPath("rebuilt.txt"), "a change");
    }
    assertEquals(Optional.of("jar"), install.keygen().sourceOf("dev.edlinkidem.cli.Main"));
    Path rebuilt = install.awaitNewArchive(Set.of(archive));
    assertFalse(Files.exists(archive), "the old jar's archive is still there");
    assertEquals(
        Optional.of("archive"),
        install.keygen().sourceOf("dev.edlinkidem.cli.Main"),
        rebuilt.toString());
  }

  @Test
  void aFileThatIsNotAnArchiveIsPassedOverSilently() throws Exception {
    byte[] garbage = new byte[64 * 1024];
    new Random(7).nextBytes(garbage);
    made.replacing(thisJdkArchive, garbage, () -> assertWorksSilently(THIS_JDK));
    Optional<Path> other = otherJdk();
    if (other.isPresent()) {
      Path otherArchive = otherJdkArchive(other.get());
      made.replacing(otherArchive, garbage, () -> assertWorksSilently(other.get()));
    }
  }

  @Test
  void anArchiveMadeByTheOtherJdkIsPassedOverSilently() throws Exception {
    Optional<Path> other = otherJdk();
    assumeTrue(
        other.isPresent(),
        "no JDK other than "
            + Runtime.version().feature()
            + " under /usr/lib/jvm to make "
            + "an archive with (Temurin 25 in the dev image)");
    Path otherArchive = otherJdkArchive(other.get());
    byte[] thisJdks = Files.readAllBytes(thisJdkArchive);
    byte[] otherJdks = Files.readAllBytes(otherArchive);
    made.replacing(thisJdkArchive, otherJdks, () -> assertWorksSilently(THIS_JDK));
    made.replacing(otherArchive, thisJdks, () -> assertWorksSilently(other.get()));
  }

  private void assertWorksSilently(Path jdk) throws Exception {
    Ran keys = made.runLoggingClasses(jdk, Map.of(), "keygen", "-n", "3");
    assertEquals(0, keys.code(), keys.err());
    assertTrue(KEYS.matcher(keys.out()).matches(), keys.out());
    assertEquals("", keys.err(), "with " + jdk);
    assertEquals(Optional.of("jar"), keys.sourceOf("dev.edlinkidem.cli.Main"));
  }

  private static Path otherArchive;

  /**
   * The shared install's archive for the other JDK, made by the launcher the first time it is asked
   * for.
   */
  private static synchronized Path otherJdkArchive(Path jdk) throws Exception {
    if (otherArchive == null) {
      made.run(jdk, Map.of(), "--version");
      otherArchive = made.awaitNewArchive(Set.of(thisJdkArchive));
    }
    return otherArchive;
  }

  /** A JDK of another feature release than this one, if the machine has one. */
  private static Optional<Path> otherJdk() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(jvms)) {
      return dirs.filter(
              d ->
                  Files.isExecutable(d.resolve("bin/java"))
                      && Files.isRegularFile(d.resolve("release")))
          .filter(d -> !feature(d).equals(String.valueOf(Runtime.version().feature())))
          .sorted()
          .findFirst();
    }
  }

  private static String feature(Path jdk) {
    try {
      return Files.readAllLines(jdk.resolve("release")).stream()
          .filter(l -> l.startsWith("JAVA_VERSION="))
          .map(l -> l.replaceAll("JAVA_VERSION=\"(\\d+).*", "$1"))
          .findFirst()
          .orElse("");
    } catch (IOException e) {
      return "";
    }
  }

  /** What one run printed, and where its classes came from when they were logged. */
  private record Ran(int code, String out, String err, String classes) {
    /** "archive" or "jar" for a class that was loaded, as -Xlog:class+load tells. */
    Optional<String> sourceOf(String className) {
      return classes
          .lines()
          .filter(l -> l.contains(" " + className + " source: "))
          .map(
              l ->
                  l.endsWith("source: shared objects file")
                      ? "archive"
                      : l.contains("source: jrt:/") ? "jdk" : l.contains(".jar") ? "jar" : l)
          .findFirst();
    }
  }

  /**
   * A copy of the launcher beside a copy of the jar, in a directory of its own; HOME and the caches
   * beside it.
   */
  private static final class Install {
    private final Path dir;
    private final Path root;
    private int runs;

    Install(Path root) throws IOException {
      this.root = root;
      this.dir = Files.createDirectories(root.resolve("install"));
      Path launcher = Files.copy(Path.of("scripts", "edlink-idem"), dir.resolve("edlink-idem"));
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.copy(
          Path.of(System.getProperty("edlinkidem.jar", "target/edlink-idem.jar")),
          dir.resolve("edlink-idem.jar"));
      Files.createDirectories(root.resolve("home"));
    }

    Path jar() {
      return dir.resolve("edlink-idem.jar");
    }

    /** keygen with this JDK, checked: it works and says nothing on stderr. */
    Ran keygen() throws Exception {
      Ran keys = runLoggingClasses(THIS_JDK, Map.of(), "keygen", "-n", "3");
      assertEquals(0, keys.code(), keys.err());
      assertTrue(KEYS.matcher(keys.out()).matches(), keys.out());
      assertEquals("", keys.err());
      return keys;
    }

    Ran run(Path jdk, Map<String, String> env, String... args) throws Exception {
      return run(jdk, env, null, args);
    }

    Ran runLoggingClasses(Path jdk, Map<String, String> env, String... args) throws Exception {
      return run(jdk, env, root.resolve("classes-" + ++runs + ".log"), args);
    }

    private Ran run(Path jdk, Map<String, String> env, Path classLog, String... args)
        throws Exception {
      List<String> command = new ArrayList<>(List.of(dir.resolve("edlink-idem").toString()));
      command.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(command);
      Map<String, String> e = pb.environment();
      e.keySet()
          .removeIf(
              k ->
                  k.startsWith("EDLINK")
                      || k.startsWith("XDG_")
                      || k.equals("JAVA_TOOL_OPTIONS")
                      || k.equals("_JAVA_OPTIONS")
                      || k.equals("JDK_JAVA_OPTIONS"));
      e.put("HOME", root.resolve("home").toString());
      e.put("XDG_CACHE_HOME", root.resolve("cache").toString());
      e.put("XDG_CONFIG_HOME", root.resolve("config").toString());
      e.put("JAVA_HOME", jdk.toString());
      if (classLog != null) {
        e.put("EDLINK_IDEM_JAVA_OPTS", "-Xlog:class+load=info:file=" + classLog);
      }
      e.putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher did not end");
      String classes = classLog != null && Files.exists(classLog) ? Files.readString(classLog) : "";
      return new Ran(
          p.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(err, StandardCharsets.UTF_8),
          classes);
    }

    List<String> files() throws IOException {
      try (Stream<Path> files = Files.list(dir)) {
        return files.map(f -> f.getFileName().toString()).sorted().collect(Collectors.toList());
      }
    }

    private List<Path> matching(String glob) throws IOException {
      List<Path> found = new ArrayList<>();
      try (var files = Files.newDirectoryStream(dir, glob)) {
        files.forEach(found::add);
      }
      return found;
    }

    /** Waits for the maker started in the background to finish, and returns the archive it made. */
    Path awaitNewArchive(Set<Path> before) throws Exception {
      awaitNoMaker();
      List<Path> made =
          matching("edlink-idem-*.jsa").stream().filter(p -> !before.contains(p)).toList();
      assertEquals(1, made.size(), "archives made: " + made + "; in " + dir + ": " + files());
      assertTrue(Files.size(made.get(0)) > 0, "the maker failed: " + made.get(0) + " is empty");
      return made.get(0);
    }

    void awaitNoMaker() throws Exception {
      long deadline = System.nanoTime() + MAKING.toNanos();
      while (!matching("*.lock").isEmpty()) {
        assertTrue(
            System.nanoTime() < deadline, "the archive was not made in " + MAKING + ": " + files());
        Thread.sleep(100);
      }
    }

    /**
     * Puts {@code bytes} where {@code archive} was while {@code check} runs, then puts the archive
     * back.
     */
    void replacing(Path archive, byte[] bytes, Check check) throws Exception {
      Path kept = root.resolve("kept.jsa");
      Files.move(archive, kept, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.write(archive, bytes);
        check.run();
      } finally {
        Files.move(kept, archive, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @FunctionalInterface
  private interface Check {
    void run() throws Exception;
  }
}
