package dev.edlinkidem.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edlink's official SDK, {@code @edlink/typescript} from npm, unchanged but for its origin (it
 * hard-codes https://ed.link; the script rewrites it with an axios interceptor), against {@code
 * edlink-idem sandbox} started from the packaged jar: creates with and without a key, list, fetch,
 * update, delete, {@code MISSING_REQUIRED_FIELD}, an empty collection, and a user token refreshed
 * after the sandbox's clock moved past its hour. The SDK is installed by npm here; without npm, the
 * test skips and says so.
 */
class EdlinkSdkIT {
  private static final Path SCRIPT_DIR = Path.of("src/test/node/edlink-sdk");
  private static final Path INSTALLED = Path.of("target/edlink-sdk");
  private static final List<String> CHECKS =
      List.of(
          "graph create with idempotency key",
          "graph create replay with same key returns same id",
          "graph create without key",
          "graph list contains created",
          "graph list pages via $next",
          "graph fetch by id",
          "graph update title",
          "graph delete",
          "graph create missing grading_type -> MISSING_REQUIRED_FIELD",
          "graph list of empty class is empty",
          "sandbox issues user token",
          "user create assignment via /my/",
          "sandbox clock advance 2h",
          "old user token now rejected by server",
          "user call after expiry succeeds via SDK token refresh",
          "tokens rotated in caller token set",
          "user delete assignment");

  @TempDir Path tmp;
  private Process sandbox;

  @AfterEach
  void stop() {
    if (sandbox != null) {
      sandbox.destroyForcibly();
    }
  }

  @Test
  void theOfficialSdkWorksAgainstTheSandbox() throws Exception {
    boolean npm = runs(List.of("node", "--version")) && runs(List.of("npm", "--version"));
    if (!npm) {
      System.err.println(
          "EdlinkSdkIT: skipped: node or npm is not installed (.ci/run installs nodejs npm)");
    }
    assumeTrue(npm, "node or npm is not installed (.ci/run installs nodejs npm)");
    String installFailure = install();
    if (installFailure != null) {
      System.err.println("EdlinkSdkIT: skipped: " + installFailure);
    }
    assumeTrue(installFailure == null, installFailure);

    String jar = System.getProperty("edlinkidem.jar", "target/edlink-idem.jar");
    ProcessBuilder server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar,
                "sandbox",
                "--port",
                "0",
                "--token",
                "sdk-integration-token")
            .redirectErrorStream(true);
    server.environment().put("HOME", tmp.toString());
    sandbox = server.start();
    StringBuffer sandboxLog = new StringBuffer();
    String base = SandboxProcess.baseUrl(sandbox, line -> sandboxLog.append(line).append('\n'));

    ProcessBuilder node =
        new ProcessBuilder("node", INSTALLED.resolve("sdk-check.mjs").toString())
            .redirectErrorStream(true);
    node.environment().put("SANDBOX_URL", base);
    node.environment().put("INTEGRATION_TOKEN", "sdk-integration-token");
    node.environment().put("CLASS_ID", "5c2a0d7e-1f3b-4c8a-9e6d-0b4f7a2c9e15");
    node.environment().put("EMPTY_CLASS_ID", "e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b");
    node.environment().remove("HTTPS_PROXY");
    node.environment().remove("HTTP_PROXY");
    Process check = node.start();
    String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(check.waitFor(2, TimeUnit.MINUTES), "the SDK check did not end");
    String report = output + "\n--- sandbox log\n" + sandboxLog;
    System.out.println("EdlinkSdkIT: the SDK's checks:\n" + output);

    assertEquals(0, check.exitValue(), report);
    for (String name : CHECKS) {
      assertTrue(
          output.lines().anyMatch(("ok " + name)::equals), "no 'ok " + name + "'\n" + report);
    }
    assertTrue(sandboxLog.toString().contains("POST /api/authentication/token -> 200"), report);
  }

  /**
   * Copies the script and its lock file under target/ and installs the SDK there once; null when it
   * is installed, else why not.
   */
  private static String install() throws IOException, InterruptedException {
    Files.createDirectories(INSTALLED);
    for (String name : List.of("package.json", "package-lock.json", "sdk-check.mjs")) {
      Files.copy(
          SCRIPT_DIR.resolve(name),
          INSTALLED.resolve(name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.isDirectory(INSTALLED.resolve("node_modules/@edlink/typescript"))) {
      return null;
    }
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
            .directory(INSTALLED.toFile())
            .redirectErrorStream(true)
            .start();
    String output = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
      return "npm could not install @edlink/typescript: " + output.strip();
    }
    return null;
  }

  private static boolean runs(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }
}
