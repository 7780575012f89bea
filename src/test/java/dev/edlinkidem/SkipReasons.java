package dev.edlinkidem;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Says on the console why a test, or a whole class, was skipped (an assumption that failed, a
 * missing package) or disabled: the build's summary counts skips, and the reasons would otherwise
 * be only in the report files. A launcher listener, registered by {@code META-INF/services}, so
 * that a class skipped before its first test (an assumption in {@code @BeforeAll}) is said too.
 */
public final class SkipReasons implements TestExecutionListener {
  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    say(test, reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      say(test, result.getThrowable().map(Throwable::getMessage).orElse(null));
    }
  }

  private static void say(TestIdentifier test, String reason) {
    System.out.println(
        "[SKIPPED] "
            + name(test)
            + ": "
            + (reason == null ? "no reason given" : reason.replace('\n', ' ')));
  }

  /** "PostTest aMethod()" for a test, "PostTest" for a class. */
  static String name(TestIdentifier test) {
    TestSource source = test.getSource().orElse(null);
    if (source instanceof MethodSource m) {
      String className = m.getClassName();
      return className.substring(className.lastIndexOf('.') + 1) + " " + test.getDisplayName();
    }
    if (source instanceof ClassSource c) {
      return c.getJavaClass().getSimpleName();
    }
    return test.getDisplayName();
  }
}
