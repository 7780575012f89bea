package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.edlinkidem.e2e.BatchTest;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.FileJournal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** System tests: the packaged jar as separate processes, against the sandbox as a process too. */
class JarIT {
  private static final String TOKEN = "sk-jar-test-token-1b3c";
  private static final String ASSIGNMENTS =
      "/api/v2/graph/classes/9d41e6b2-7a3c-4f05-b8e1-2c6d0f9a4b73/assignments";
  private static final String ESSAY =
      "{\"title\":\"Essay\",\"description\":\"d\",\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";

  @TempDir Path tmp;

  private Process sandbox;
  private String baseUrl;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(Process::destroyForcibly);
  }

  private static String jar() {
    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    assertTrue(Files.isRegularFile(Path.of(jar)), "the packaged jar is missing: " + jar);
    return jar;
  }

  private ProcessBuilder tool(String... args) {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", jar()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().keySet().removeIf(k -> k.startsWith("EDLINK") || k.equals("NO_COLOR"));
    pb.environment().put("XDG_CONFIG_HOME", tmp.resolve("config").toString()); // no user's profiles
    pb.environment().put("EDLINK_TOKEN", TOKEN);
    pb.environment().put("EDLINK_IDEM_JOURNAL", tmp.resolve("journal").toString());
    if (baseUrl != null) {
      pb.environment().put("EDLINK_BASE_URL", baseUrl);
    }
    return pb;
  }

  @Test
  void theJarShipsNoDevelopmentTools() throws IOException {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(jar())) {
      List<String> ours =
          jar.stream()
              .map(java.util.jar.JarEntry::getName)
              .filter(name -> name.startsWith("dev/edlinkidem/"))
              .toList();
      assertTrue(
          ours.contains("dev/edlinkidem/cli/Main.class"),
          "the jar's classes were listed: " + ours.size());
      assertFalse(
          ours.contains("dev/edlinkidem/journal/Bench.class"),
          "scripts/bench-journal's Bench is a development tool");
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Process start(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** Starts `edlink-idem sandbox` and reads where it listens from its first stdout line. */
  private void startSandbox(String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("sandbox", "--port", "0"));
    args.addAll(List.of(options));
    sandbox = start(tool(args.toArray(String[]::new)).redirectErrorStream(true));
    baseUrl = SandboxProcess.baseUrl(sandbox, line -> {});
  }

  private record Ran(int code, String out, String err) {}

  private Ran run(String... args) throws Exception {
    Process p = start(tool(args));
    return finish(p);
  }

  private static Ran finish(Process p) throws Exception {
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the process did not end");
    return new Ran(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void aCommandOtherThanTheShellLoadsNoJLine() throws Exception {
    // picocli reflects on every command's methods at each start; JLine must not come in with them.
    Process p = start(new ProcessBuilder(javaBin(), "-verbose:class", "-jar", jar(), "keygen"));
    Ran ran = finish(p);
    assertEquals(0, ran.code(), ran.err());
    assertTrue(
        ran.out().contains("dev.edlinkidem.cli.command.ShellCommand"), "the model was built");
    assertFalse(
        ran.out().contains("org.jline"),
        ran.out().lines().filter(l -> l.contains("org.jline")).findFirst().orElse(""));
  }

  @Test
  void aPostOnTheFileJournalLoadsNoDatabaseDriver() throws Exception {
    // The PostgreSQL journal's driver is in the jar; a cold post on the file journal pays nothing
    // for it, nor for the journal itself (telling a URL from a directory is a small class).
    startSandbox();
    List<String> command = new ArrayList<>(tool().command());
    command.add(1, "-verbose:class");
    command.addAll(List.of("post", ASSIGNMENTS, "-d", ESSAY, "-k", "no-driver-1"));
    ProcessBuilder pb = tool();
    pb.command(command);
    Ran ran = finish(start(pb));
    assertEquals(0, ran.code(), ran.err());
    assertTrue(ran.out().contains("dev.edlinkidem.journal.FileJournal"), "the journal was read");
    List<String> loaded =
        ran.out()
            .lines()
            .filter(
                l ->
                    l.contains("org.postgresql")
                        || l.contains("journal.postgres.PostgresJournal")
                        || l.contains("journal.postgres.Schema"))
            .toList();
    assertEquals(List.of(), loaded);
  }

  private JsonObject stats() throws Exception {
    return SandboxProcess.stats(baseUrl);
  }

  private Optional<Entry> entry(String key) throws Exception {
    try (FileJournal journal = FileJournal.open(tmp.resolve("journal"))) {
      return journal.find(key);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private BooleanSupplier journaled(String key) {
    return () -> {
      try {
        return entry(key).isPresent();
      } catch (Exception e) {
        return false;
      }
    };
  }

  @Test
  void thePackagedJarPostsToTheSandboxProcess() throws Exception {
    startSandbox();
    Ran r = run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "jar-1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("\"title\":\"Essay\""), r.out());
    assertEquals(1, stats().get("creates").getAsInt());
    Ran version = run("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().matches("edlink-idem \\d+\\.\\d+\\.\\d+.*\\s*"), version.out());
  }

  @Test
  void twoProcessesRacingOnOneKeyCreateOnceAndTheLoserExits3() throws Exception {
    startSandbox("--latency", "2s");
    Process first = start(tool("post", ASSIGNMENTS, "-d", ESSAY, "-k", "race-1"));
    await(journaled("race-1"), "the first process to journal the key");
    Ran second = run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "race-1");
    Ran winner = finish(first);
    assertEquals(0, winner.code(), winner.err());
    assertEquals(3, second.code(), second.err());
    assertTrue(second.err().contains("being sent by another process"), second.err());
    assertEquals(1, stats().get("creates").getAsInt());
    assertEquals(1, stats().get("requests").getAsInt(), "the loser sent nothing");
  }

  @Test
  void aBatchKilledMidwayAndRunAgainCreatesEveryLineOnce() throws Exception {
    // Some lines are answered and lost (dropped after the sandbox did the work): the run that
    // finishes them must not create them twice, nor the lines the killed run had in flight.
    startSandbox("--latency", "30ms", "--drop-after-commit", "0.1", "--seed", "7");
    Path plan = tmp.resolve("plan.jsonl");
    Files.writeString(plan, BatchTest.lines(200));
    Process doomed = start(tool("batch", plan.toString(), "--concurrency", "4"));
    await(
        () -> {
          try {
            return stats().get("creates").getAsInt() >= 40;
          } catch (Exception e) {
            return false;
          }
        },
        "forty lines to be created");
    doomed.destroyForcibly(); // SIGKILL mid-batch: lines in flight stay pending, the rest never
    // started
    assertTrue(doomed.waitFor(30, TimeUnit.SECONDS));
    int createdBefore = stats().get("creates").getAsInt();
    assertTrue(createdBefore < 200, "killed before the end: " + createdBefore);

    Ran again = run("batch", plan.toString(), "--concurrency", "4", "--format", "jsonl");

    assertEquals(0, again.code(), again.err());
    assertEquals(200, again.out().lines().count());
    JsonObject stats = stats();
    assertEquals(200, stats.get("creates").getAsInt(), "exactly one creation per line: " + stats);
    JsonObject records = stats.getAsJsonObject("records");
    assertEquals(200, records.keySet().stream().mapToInt(k -> records.get(k).getAsInt()).sum());
    assertTrue(again.err().contains("already in the journal, not sent"), again.err());
  }

  @Test
  void aProcessKilledAfterTheJournalWriteIsPendingAndReplayCreatesOnce() throws Exception {
    startSandbox("--latency", "2s");
    Process doomed = start(tool("post", ASSIGNMENTS, "-d", ESSAY, "-k", "killed-1"));
    await(journaled("killed-1"), "the journal write");
    await(
        () -> {
          try {
            return stats().get("requests").getAsInt() == 1;
          } catch (Exception e) {
            return false;
          }
        },
        "the request to reach the sandbox");
    doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no outcome record
    assertTrue(doomed.waitFor(30, TimeUnit.SECONDS));
    Entry e = entry("killed-1").orElseThrow();
    assertEquals(EntryState.PENDING, e.state());
    assertEquals(0, e.attempts().size());

    Ran replay = run("replay", "killed-1");
    assertEquals(0, replay.code(), replay.err());
    assertEquals(EntryState.SUCCEEDED, entry("killed-1").orElseThrow().state());
    assertEquals(
        1,
        stats().get("creates").getAsInt(),
        "one creation, although the request reached the sandbox twice");
  }

  /**
   * A process started in the background by a shell without job control (as {@code cmd &} in a
   * script) has SIGINT ignored, and so has every process it starts: a JVM that starts so never
   * hears Ctrl-C, and the test cannot run. /proc/PID/status says so (SigIgn, bit 1 for SIGINT).
   */
  private static void assumeSigintReaches(Process p) throws IOException {
    Path status = Path.of("/proc", Long.toString(p.pid()), "status");
    String ignored = "0";
    try {
      ignored =
          Files.readString(status)
              .lines()
              .filter(l -> l.startsWith("SigIgn:"))
              .map(l -> l.substring("SigIgn:".length()).trim())
              .findFirst()
              .orElse("0");
    } catch (IOException e) {
      return; // no /proc, or it has ended: the test says what happened
    }
    assumeTrue(
        (Long.parseUnsignedLong(ignored, 16) & 2) == 0,
        "SIGINT is ignored by the tool's process (SigIgn "
            + ignored
            + ": started in the background without job control), so Ctrl-C cannot reach it;"
            + " run the build in the foreground");
  }

  @Test
  void ctrlCDuringASendExits130AndLeavesThePendingEntry() throws Exception {
    startSandbox("--latency", "5s");
    Process p = start(tool("post", ASSIGNMENTS, "-d", ESSAY, "-k", "sigint-1"));
    assumeSigintReaches(p);
    await(journaled("sigint-1"), "the journal write");
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
    Ran r = finish(p);
    assertEquals(130, r.code(), r.err());
    assertTrue(
        r.err().contains("interrupted · sigint-1 stays pending; run 'edlink-idem replay sigint-1'"),
        r.err());
    assertEquals(EntryState.PENDING, entry("sigint-1").orElseThrow().state());
  }

  /** Holds a shared lock on byte 0 of a journal's lock file, as a reader does, until stdin ends. */
  private static final String HOLD_SHARED =
      """
      import java.nio.channels.FileChannel;
      import java.nio.file.Path;
      import java.nio.file.StandardOpenOption;

      class HoldShared {
        public static void main(String[] args) throws Exception {
          try (FileChannel c =
                  FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE);
              var lock = c.lock(0, 1, true)) {
            System.out.println("held");
            System.out.flush();
            System.in.read();
          }
        }
      }
      """;

  @Test
  void ctrlCWhileAnotherProcessHoldsTheJournalExitsAtOnceAndSendsNothing() throws Exception {
    Path locks = Path.of("/proc/locks");
    assumeTrue(Files.isReadable(locks), "needs /proc/locks to see a process wait for a lock");
    startSandbox();
    assertEquals(0, run("post", ASSIGNMENTS, "-d", ESSAY, "-k", "before-1").code());
    Path source = tmp.resolve("HoldShared.java");
    Files.writeString(source, HOLD_SHARED);
    Path lockFile = tmp.resolve("journal/journal.lock");
    Process holder = start(new ProcessBuilder(javaBin(), source.toString(), lockFile.toString()));
    assertEquals(
        "held",
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))
            .readLine());

    // /proc/locks names a lock's file by inode and its bytes ("... fe:00:INODE 0 0"). Pids are
    // left out: they depend on the pid namespace.
    String inode = ":" + Files.getAttribute(lockFile, "unix:ino") + " ";
    String onByteZero = inode + "0 0";
    assumeTrue(
        Files.readString(locks)
            .lines()
            .anyMatch(l -> l.contains(" POSIX  ADVISORY  READ ") && l.endsWith(onByteZero)),
        "/proc/locks does not show the lock held on " + lockFile);
    Process p = start(tool("post", ASSIGNMENTS, "-d", ESSAY, "-k", "locked-out-1"));
    assumeSigintReaches(p);
    // The post holds its key's lease (a write lock on another byte of the file), then tries the
    // gate's byte for its begin record again and again while the holder keeps it (it never waits
    // in the kernel, where an interrupt would close the file and drop the lease).
    await(
        () -> {
          try {
            return Files.readString(locks)
                .lines()
                .anyMatch(
                    l ->
                        l.contains(" POSIX  ADVISORY  WRITE ")
                            && l.contains(inode)
                            && !l.endsWith(onByteZero));
          } catch (IOException e) {
            return false;
          }
        },
        "the post to hold its key and wait for the journal's lock");
    Thread.sleep(300);
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
    boolean ended = p.waitFor(20, TimeUnit.SECONDS);
    holder.getOutputStream().close(); // let go of the journal
    assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    assertTrue(ended, "Ctrl-C waited for the other process to let go of the journal");
    Ran r = finish(p);
    assertEquals(130, r.code(), r.err());
    assertEquals("edlink-idem: interrupted · nothing was sent for locked-out-1\n", r.err());
    assertFalse(entry("locked-out-1").isPresent(), "nothing was journaled");
    assertEquals(1, stats().get("requests").getAsInt(), "only the first post reached the sandbox");
  }

  @Test
  void ctrlCDuringABatchExits130SaysWhatStaysPendingAndARerunFinishesIt() throws Exception {
    startSandbox("--latency", "300ms");
    Path plan = tmp.resolve("plan.jsonl");
    Files.writeString(plan, BatchTest.lines(30));
    Process p = start(tool("batch", plan.toString(), "--concurrency", "2"));
    assumeSigintReaches(p);
    await(
        () -> {
          try {
            return stats().get("creates").getAsInt() >= 2;
          } catch (Exception e) {
            return false;
          }
        },
        "the first lines to be created");
    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
    Ran r = finish(p);
    assertEquals(130, r.code(), r.err());
    assertTrue(
        r.err()
            .matches(
                "(?s).*interrupted · \\d+ lines done; the \\d+ in flight stay pending; run the same"
                    + " batch again.*"),
        r.err());
    int created = stats().get("creates").getAsInt();
    assertTrue(created < 30, "interrupted before the end: " + created);

    Ran again = run("batch", plan.toString(), "--concurrency", "8");
    assertEquals(0, again.code(), again.err());
    assertEquals(30, stats().get("creates").getAsInt(), "every line created once");
  }

  @Test
  void theLauncherScriptRunsTheJar() throws Exception {
    Path launcher = Path.of("scripts", "edlink-idem").toAbsolutePath();
    assertTrue(Files.isExecutable(launcher), launcher + " is not executable");
    ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "--version");
    // No class-data-sharing archive made in the background into target/ (LauncherIT tests that).
    pb.environment().put("EDLINK_IDEM_CDS", "off");
    Process p = pb.start();
    Ran r = finish(p);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("edlink-idem "), r.out());
  }
}
