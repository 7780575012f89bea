package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edlinkidem.journal.postgres.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution scripts/dist makes ({@code mvn -B verify -Pdist} makes it first): the tarball
 * runs on its own runtime with no java anywhere on PATH, on a journal directory and on PostgreSQL,
 * and the Debian package installs, runs and goes away leaving nothing. Without a distribution in
 * target/ these skip and say how to make one.
 */
class DistIT {
  private static final String TOKEN = "sk-dist-test-token-7e21";
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/3b8f2c1d-6e4a-4d7b-9c05-1a2b3c4d5e6f/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";
  private static final String MAKE_IT = ": build it with scripts/dist, or run mvn -B verify -Pdist";

  /** What the launcher calls, linked one by one into a PATH that holds no java. */
  private static final List<String> TOOLS =
      List.of(
          "sh",
          "dirname",
          "ls",
          "sed",
          "cksum",
          "mkdir",
          "readlink",
          "cat",
          "rm",
          "mv",
          "env",
          "sleep",
          "kill",
          "ps",
          "find",
          "head");

  @TempDir Path tmp;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroyForcibly);
  }

  private static Path target() {
    return Path.of(System.getProperty("edlinkidem.jar", "target/edlink-idem.jar")).getParent();
  }

  private static Path only(String glob) throws IOException {
    try (Stream<Path> found = Files.list(target())) {
      List<Path> matches =
          found
              .filter(
                  p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName()))
              .toList();
      assumeTrue(!matches.isEmpty(), "no " + glob + " in " + target() + MAKE_IT);
      assertEquals(1, matches.size(), "more than one " + glob + ": " + matches);
      return matches.get(0);
    }
  }

  /** An environment of only what is set here: no java on PATH, no user's files. */
  private Map<String, String> bareEnvironment(ProcessBuilder pb) throws IOException {
    Path bin = tmp.resolve("path");
    if (!Files.isDirectory(bin)) {
      Files.createDirectories(bin);
      for (String tool : TOOLS) {
        for (String dir : List.of("/usr/bin", "/bin")) {
          Path real = Path.of(dir, tool);
          if (Files.isExecutable(real)) {
            Files.createSymbolicLink(bin.resolve(tool), real);
            break;
          }
        }
      }
    }
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", bin.toString());
    env.put("HOME", tmp.resolve("home").toString());
    env.put("TMPDIR", tmp.toString());
    env.put("EDLINK_TOKEN", TOKEN);
    env.put("EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString());
    // A JDK of the user's own: the distribution runs on its runtime all the same.
    env.put("JAVA_HOME", System.getProperty("java.home"));
    return env;
  }

  private record Ran(int code, String out, String err) {}

  /** Waits for {@code p} (its stdin closed), and what it printed. */
  private static Ran finish(Process p, Object what) throws Exception {
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "did not end: " + what);
    return new Ran(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private Ran run(List<String> command, String baseUrl) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = bareEnvironment(pb);
    if (baseUrl != null) {
      env.put("EDLINK_BASE_URL", baseUrl);
    }
    Process p = pb.start();
    started.add(p);
    return finish(p, command);
  }

  /** Starts the sandbox from {@code command}, checks which java runs it, and says where it is. */
  private String sandbox(String command, Path runtime) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command, "sandbox", "--port", "0", "--token", TOKEN)
            .redirectErrorStream(true);
    bareEnvironment(pb);
    Process sandbox = pb.start();
    started.add(sandbox);
    String url = SandboxProcess.baseUrl(sandbox, line -> {});
    Path exe = Files.readSymbolicLink(Path.of("/proc", Long.toString(sandbox.pid()), "exe"));
    assertTrue(exe.startsWith(runtime), "runs on " + exe + ", not on " + runtime);
    return url;
  }

  /**
   * The archive shipped with the runtime fits the jar and the runtime as installed: the tool's
   * classes come from it (a copy that changed their times, say, would start with no sharing).
   */
  private void assertArchiveUsed(String command, Path lib) throws Exception {
    if (!shipsArchive(lib)) {
      return; // a JDK 17 runtime: the launcher makes it in the user's cache
    }
    ProcessBuilder pb = new ProcessBuilder(command, "--version");
    bareEnvironment(pb).put("EDLINK_IDEM_JAVA_OPTS", "-Xlog:class+load");
    Process p = pb.start();
    started.add(p);
    String loaded = finish(p, command).out();
    assertTrue(
        loaded.contains("dev.edlinkidem.cli.Main source: shared objects file"),
        "the shipped archive was not used by " + command);
    // picocli's classes are Java 5's: an archive dumped with the class list's @cp lines (JDK 24
    // and later) leaves them out, and so does an AOT cache unless they are compiled anew; they
    // are what a cold command spends most on.
    assertTrue(
        loaded.contains("picocli.CommandLine source: shared objects file"),
        "picocli is not in the shipped archive");
    // Sharing options of the user's own are theirs: java would refuse to start with an AOT cache
    // and -Xshare:off together.
    ProcessBuilder off = new ProcessBuilder(command, "--version");
    bareEnvironment(off).put("EDLINK_IDEM_JAVA_OPTS", "-Xshare:off -Xlog:class+load");
    Process q = off.start();
    started.add(q);
    Ran unshared = finish(q, command + " with -Xshare:off");
    assertEquals(0, unshared.code(), unshared.err());
    assertTrue(unshared.out().contains("edlink-idem "), unshared.out());
    assertFalse(unshared.out().contains("source: shared objects file"), "shared after -Xshare:off");
    // The same in the JVM's own variables, which CI images set (and which java reads itself),
    // through a file of options, and with a collector of the user's choice.
    Path options = tmp.resolve("jvm-options");
    Files.writeString(options, "-Xshare:off\n");
    for (String[] set :
        List.of(
            new String[] {"JAVA_TOOL_OPTIONS", "-Xshare:off"},
            new String[] {"JDK_JAVA_OPTIONS", "-Xshare:off"},
            new String[] {"_JAVA_OPTIONS", "-Xshare:off"},
            new String[] {"JAVA_TOOL_OPTIONS", "-XX:VMOptionsFile=" + options},
            new String[] {"JDK_JAVA_OPTIONS", "@" + options},
            new String[] {"EDLINK_IDEM_JAVA_OPTS", "@" + options},
            new String[] {"JAVA_TOOL_OPTIONS", "-XX:+UseG1GC"})) {
      ProcessBuilder env = new ProcessBuilder(command, "--version");
      bareEnvironment(env).put(set[0], set[1]);
      Process e = env.start();
      started.add(e);
      Ran ran = finish(e, command + " with " + set[0] + "=" + set[1]);
      assertEquals(0, ran.code(), set[0] + "=" + set[1] + ": " + ran.err());
      assertTrue(ran.out().contains("edlink-idem "), ran.out());
    }
  }

  /**
   * A post builds picocli's models from the file the build wrote, not from the annotations: the JDK
   * makes a proxy class for each kind of annotation it reads, and none is made.
   */
  private void assertModelFromTheBuildsFile(String command, String url) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "dist-model", "-q");
    Map<String, String> env = bareEnvironment(pb);
    env.put("EDLINK_BASE_URL", url);
    env.put("EDLINK_IDEM_JAVA_OPTS", "-Xlog:class+load");
    Process p = pb.start();
    started.add(p);
    Ran ran = finish(p, command + " post, its classes logged");
    assertEquals(0, ran.code(), ran.err());
    assertTrue(ran.out().contains("dev.edlinkidem.cli.model.CommandModel "), "no CommandModel");
    List<String> proxies = ran.out().lines().filter(line -> line.contains("$Proxy")).toList();
    assertEquals(List.of(), proxies, "annotations were read at run time");
  }

  /** An AOT cache (a JDK 25 runtime or later) or a class-data-sharing archive (JDK 19 to 24). */
  private static boolean shipsArchive(Path lib) {
    return Files.isRegularFile(lib.resolve("edlink-idem.aot"))
        || Files.isRegularFile(lib.resolve("edlink-idem.jsa"));
  }

  /**
   * Nothing was written in HOME: with a shipped archive, nothing at all; without one (a JDK 17
   * runtime) only the archive the launcher makes in the user's cache, as the issue allows.
   */
  private void assertNothingInHome(Path lib) throws IOException {
    Path home = tmp.resolve("home");
    if (shipsArchive(lib) || !Files.exists(home)) {
      assertFalse(Files.exists(home), "wrote into HOME");
      return;
    }
    try (Stream<Path> all = Files.walk(home)) {
      for (Path p : all.toList()) {
        assertTrue(
            home.resolve(".cache/edlink-idem").startsWith(p)
                || p.startsWith(home.resolve(".cache/edlink-idem")),
            "wrote into HOME: " + p);
      }
    }
  }

  private static String version() throws IOException {
    String name = only("edlink-idem-*-linux-x64.tar.gz").getFileName().toString();
    return name.substring("edlink-idem-".length(), name.length() - "-linux-x64.tar.gz".length());
  }

  /** The tarball unpacked in the test's directory: the distribution's top directory. */
  private Path unpackTarball() throws Exception {
    Path tarball = only("edlink-idem-*-linux-x64.tar.gz");
    Process untar =
        new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", tmp.toString())
            .inheritIO()
            .start();
    assertTrue(untar.waitFor(120, TimeUnit.SECONDS) && untar.exitValue() == 0, "tar failed");
    return tmp.resolve("edlink-idem-" + version());
  }

  @Test
  void theTarballRunsOnItsOwnRuntimeWithNoJavaOnPath() throws Exception {
    Path home = unpackTarball();
    String command = home.resolve("bin/edlink-idem").toString();

    Ran v = run(List.of(command, "--version"), null);
    assertEquals(0, v.code(), v.err());
    assertEquals("edlink-idem " + version() + "\n", v.out());
    assertArchiveUsed(command, home.resolve("lib"));

    String url = sandbox(command, home.resolve("lib/runtime"));
    Ran post = run(List.of(command, "post", ASSIGNMENTS, "-d", ESSAY, "-k", "dist-1", "-q"), url);
    assertEquals(0, post.code(), post.err());
    assertEquals(1, SandboxProcess.stats(url).get("creates").getAsInt());
    assertTrue(Files.isDirectory(tmp.resolve("journal")), "no journal directory");
    assertModelFromTheBuildsFile(command, url);

    for (String page : List.of("edlink-idem.1", "edlink-idem-post.1")) {
      assertTrue(Files.isRegularFile(home.resolve("share/man/man1").resolve(page)), page);
    }
    assertTrue(Files.isRegularFile(home.resolve("share/bash-completion/completions/edlink-idem")));
    assertTrue(Files.isRegularFile(home.resolve("share/zsh/site-functions/_edlink-idem")));
    assertTrue(
        Files.isRegularFile(home.resolve("share/fish/vendor_completions.d/edlink-idem.fish")));
    assertNothingInHome(home.resolve("lib"));
  }

  /**
   * A post on a PostgreSQL journal from the tarball's runtime, which holds only the JDK modules the
   * tool uses of the database driver (scripts/dist): with a password and no TLS, then with sslmode
   * verify-full, whose check of the server's name needs java.naming.
   */
  @Test
  void aPostOnAPostgresqlJournalRunsOnTheDistributionsRuntime() throws Exception {
    Path home = unpackTarball();
    Optional<String> why = PostgresCluster.whyUnavailable();
    assumeTrue(why.isEmpty(), () -> why.get());
    Path runtime = home.resolve("lib/runtime");
    List<String> modules = runtimeModules(runtime);
    assertTrue(modules.containsAll(List.of("java.sql", "java.naming")), modules.toString());
    for (String unused : List.of("java.desktop", "java.management", "java.security.jgss")) {
      assertFalse(
          modules.contains(unused),
          unused + ": only driver code the tool never runs needs it; the runtime: " + modules);
    }
    String command = home.resolve("bin/edlink-idem").toString();
    try (PostgresCluster cluster = PostgresCluster.start(tmp)) {
      String url = sandbox(command, runtime);
      String journal = cluster.url(cluster.passwordUser());

      Ran plain = postOnPostgres(command, url, journal, cluster.password(), "dist-pg-1");
      assertEquals(0, plain.code(), plain.err());
      assertEquals(1, SandboxProcess.stats(url).get("creates").getAsInt());

      Path certificate = cluster.serveTls();
      String verified = journal + "?sslmode=verify-full&sslrootcert=" + certificate;
      Ran tls = postOnPostgres(command, url, verified, cluster.password(), "dist-pg-2");
      assertEquals(0, tls.code(), tls.err());
      assertEquals(2, SandboxProcess.stats(url).get("creates").getAsInt());

      assertEquals(
          "dist-pg-1|succeeded\ndist-pg-2|succeeded\n",
          cluster.psql("select key, state from edlink_idem_entries order by key"));
      assertFalse(Files.exists(tmp.resolve("journal")), "a file journal was made");
    }
    assertNothingInHome(home.resolve("lib"));
  }

  /** A post with {@code journal}, a postgres:// URL, its password in PGPASSWORD. */
  private Ran postOnPostgres(
      String command, String url, String journal, String password, String key) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command, "post", ASSIGNMENTS, "-d", ESSAY, "-k", key, "-q");
    Map<String, String> env = bareEnvironment(pb);
    env.put("EDLINK_BASE_URL", url);
    env.put("EDLINK_IDEM_JOURNAL", journal);
    env.put("PGPASSWORD", password);
    Process p = pb.start();
    started.add(p);
    return finish(p, command + " post on " + journal);
  }

  /** The modules a jlink runtime holds, as its release file names them. */
  private static List<String> runtimeModules(Path runtime) throws IOException {
    for (String line : Files.readAllLines(runtime.resolve("release"))) {
      if (line.startsWith("MODULES=")) {
        return List.of(line.substring("MODULES=".length()).replace("\"", "").split(" "));
      }
    }
    throw new AssertionError("no MODULES in " + runtime.resolve("release"));
  }

  /**
   * A JDK 25 cache does not check its jar (JDK-8377932, fixed in 25.0.4): a jar put in place of the
   * one it was made from must run its own classes, not the cache's.
   */
  @Test
  void aJarPutInPlaceOfTheCachesOwnRunsItsOwnClasses() throws Exception {
    Path lib = unpackTarball().resolve("lib");
    assumeTrue(
        Files.isRegularFile(lib.resolve("edlink-idem.aot")), "the runtime ships no AOT cache");
    String command = lib.resolveSibling("bin/edlink-idem").toString();
    Path jar = lib.resolve("edlink-idem.jar");
    Files.setLastModifiedTime(
        jar,
        java.nio.file.attribute.FileTime.fromMillis(
            Files.getLastModifiedTime(jar).toMillis() + 3_600_000));
    ProcessBuilder pb = new ProcessBuilder(command, "--version");
    Map<String, String> env = bareEnvironment(pb);
    env.put("EDLINK_IDEM_JAVA_OPTS", "-Xlog:class+load");
    Process p = pb.start();
    started.add(p);
    Ran ran = finish(p, command);
    assertEquals(0, ran.code(), ran.err());
    assertTrue(ran.out().contains("edlink-idem " + version()), ran.out());
    assertFalse(
        ran.out().contains("dev.edlinkidem.cli.Main source: shared objects file"),
        "the cache was used with a jar it was not made from");
    // A distribution that ships its archive makes none among the user's files, not even then
    // (the launcher would have made the maker's directory and lock before java started).
    assertNothingInHome(lib);
  }

  @Test
  void theDebianPackageInstallsRunsAndLeavesNothingWhenRemoved() throws Exception {
    Path deb = only("edlink-idem_*_amd64.deb");
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "installs a package: only as root (CI runs as root)");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "no dpkg here");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "no man here (apt-get install man-db)");
    Path bashCompletion = Path.of("/usr/share/bash-completion/bash_completion");
    assumeTrue(
        Files.isRegularFile(bashCompletion),
        "bash-completion not installed (apt-get install bash-completion; .ci/run does)");
    Ran installed = sh("dpkg -s edlink-idem");
    assumeTrue(
        installed.code() != 0, "edlink-idem is installed on this machine: left alone, not tested");
    List<String> files = new ArrayList<>();
    try {
      Ran install = sh("dpkg -i " + deb);
      assertEquals(0, install.code(), install.out() + install.err());
      files.addAll(sh("dpkg -L edlink-idem").out().lines().toList());

      Ran v = run(List.of("/usr/bin/edlink-idem", "--version"), null);
      assertEquals(0, v.code(), v.err());
      assertEquals("edlink-idem " + version() + "\n", v.out());
      assertArchiveUsed("/usr/bin/edlink-idem", Path.of("/usr/lib/edlink-idem/lib"));
      String url = sandbox("/usr/bin/edlink-idem", Path.of("/usr/lib/edlink-idem/lib/runtime"));
      Ran post =
          run(
              List.of(
                  "/usr/bin/edlink-idem", "post", ASSIGNMENTS, "-d", ESSAY, "-k", "deb-1", "-q"),
              url);
      assertEquals(0, post.code(), post.err());
      assertEquals(1, SandboxProcess.stats(url).get("creates").getAsInt());
      assertNothingInHome(Path.of("/usr/lib/edlink-idem/lib"));

      {
        Ran man = sh("man -w edlink-idem");
        assertEquals("/usr/share/man/man1/edlink-idem.1.gz\n", man.out(), man.err());
      }
      {
        // What bash-completion loads on the first Tab after "edlink-idem rep".
        Ran tab =
            sh(
                "bash -c '. "
                    + bashCompletion
                    + "; COMP_WORDS=(edlink-idem rep); COMP_CWORD=1; COMP_LINE=\"edlink-idem rep\";"
                    + " COMP_POINT=${#COMP_LINE}; __load_completion edlink-idem;"
                    + " f=$(complete -p edlink-idem | sed \"s/.*-F \\([^ ]*\\).*/\\1/\");"
                    + " $f edlink-idem rep edlink-idem; echo \"${COMPREPLY[@]}\"'");
        assertEquals("replay\n", tab.out(), tab.err());
      }
    } finally {
      Ran remove = sh("dpkg -r edlink-idem");
      assertEquals(0, remove.code(), remove.out() + remove.err());
    }
    assertTrue(sh("dpkg -s edlink-idem").code() != 0, "still installed");
    for (String file : files) {
      Path p = Path.of(file);
      if (file.startsWith("/usr/lib/edlink-idem")
          || p.getFileName().toString().contains("edlink-idem")) {
        assertFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), "left: " + p);
      }
    }
    assertFalse(Files.exists(Path.of("/usr/lib/edlink-idem")), "left: /usr/lib/edlink-idem");
    Ran left = sh("find /usr /etc /var/lib/dpkg/info -name '*edlink-idem*'");
    assertEquals("", left.out(), "left after dpkg -r");
  }

  @Test
  void aUserInstallPutsEachFileInPlaceAndUninstallTakesBackExactlyThose() throws Exception {
    only("edlink-idem-*-linux-x64.tar.gz"); // scripts/install would build it otherwise
    Path prefix = tmp.resolve("prefix");
    Path theirs = Files.createDirectories(prefix.resolve("share/man/man1")).resolve("theirs.1");
    Files.writeString(theirs, ".TH THEIRS 1\n");
    String install = Path.of("scripts/install").toAbsolutePath().toString();
    Map<String, String> env = Map.of("HOME", tmp.resolve("home").toString());

    Ran in = script(env, install, "--prefix", prefix.toString());
    assertEquals(0, in.code(), in.err());
    String command = prefix.resolve("bin/edlink-idem").toString();
    Ran v = run(List.of(command, "--version"), null);
    assertEquals(0, v.code(), v.err());
    assertEquals("edlink-idem " + version() + "\n", v.out());
    assertArchiveUsed(command, prefix.resolve("lib/edlink-idem/lib"));
    for (String file :
        List.of(
            "share/man/man1/edlink-idem.1",
            "share/man/man1/edlink-idem-batch.1",
            "share/bash-completion/completions/edlink-idem",
            "share/zsh/site-functions/_edlink-idem",
            "share/fish/vendor_completions.d/edlink-idem.fish",
            "lib/edlink-idem/lib/runtime/bin/java")) {
      assertTrue(Files.exists(prefix.resolve(file)), file);
    }
    assertNothingInHome(prefix.resolve("lib/edlink-idem/lib"));

    Ran again = script(env, install, "--prefix", prefix.toString());
    assertEquals(0, again.code(), "installing again replaces: " + again.err());

    Ran out = script(env, install, "--uninstall", "--prefix", prefix.toString());
    assertEquals(0, out.code(), out.err());
    try (Stream<Path> left = Files.walk(prefix)) {
      assertEquals(
          List.of(
              prefix,
              prefix.resolve("share"),
              theirs.getParent().getParent(),
              theirs.getParent(),
              theirs),
          left.sorted().toList(),
          "only what was there before");
    }

    // A command of the same name that is not ours is never written over, and nothing is
    // installed beside it.
    Path other = tmp.resolve("other");
    Path mine = Files.createDirectories(other.resolve("bin")).resolve("edlink-idem");
    Files.writeString(mine, "#!/bin/sh\necho mine\n");
    Ran refused = script(env, install, "--prefix", other.toString());
    assertEquals(1, refused.code(), refused.err());
    assertTrue(refused.err().contains(mine + " is there already"), refused.err());
    assertEquals("#!/bin/sh\necho mine\n", Files.readString(mine));
    assertFalse(Files.exists(other.resolve("lib")), "nothing installed");

    // PREFIX/bin a link to another directory (stow, dotfiles): the command still runs.
    Path linked = tmp.resolve("linked");
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/bin"));
    Files.createDirectories(linked);
    Files.createSymbolicLink(linked.resolve("bin"), elsewhere);
    assertEquals(0, script(env, install, "--prefix", linked.toString()).code());
    Ran viaLink = run(List.of(linked.resolve("bin/edlink-idem").toString(), "--version"), null);
    assertEquals(0, viaLink.code(), viaLink.err());
    assertEquals(0, script(env, install, "--uninstall", "--prefix", linked.toString()).code());
    assertFalse(
        Files.exists(elsewhere.resolve("edlink-idem"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  /** Runs a script of the tree with the test's own PATH (it needs java to check the build). */
  private static Ran script(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    return finish(pb.start(), List.of(command));
  }

  private static Ran sh(String script) throws Exception {
    return finish(new ProcessBuilder("sh", "-c", script).start(), script);
  }
}
