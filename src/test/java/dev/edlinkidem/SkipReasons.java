package dev.edlinkidem;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Says on the console why a test was skipped (an assumption that failed, a missing package) or
 * disabled: the build's summary counts skips, and the reasons would otherwise be only in the report
 * files. Registered for every test by {@code META-INF/services}.
 */
public final class SkipReasons implements TestWatcher {
  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    say(context, cause.getMessage());
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    say(context, reason.orElse("disabled"));
  }

  private static void say(ExtensionContext context, String reason) {
    System.out.println(
        "[SKIPPED] "
            + context.getRequiredTestClass().getSimpleName()
            + " "
            + context.getDisplayName()
            + ": "
            + (reason == null ? "no reason given" : reason.replace('\n', ' ')));
  }
}
