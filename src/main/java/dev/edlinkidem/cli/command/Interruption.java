package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.verdict.ExitCode;
import dev.edlinkidem.verdict.Verdict;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What Ctrl-C says about one key, from a shutdown hook that runs beside the command until the JVM
 * halts. Before the key's begin record is written it says nothing was sent, and then nothing is
 * written or sent. During the write (the journal's locks already held: milliseconds) it waits for
 * the write and says the key stays pending. It never waits for the journal's locks themselves.
 */
final class Interruption {
  /** How long Ctrl-C waits for a begin record being written before it speaks without knowing. */
  static final Duration WRITE_WAIT = Duration.ofSeconds(5);

  private static final long STEP_MILLIS = 50;

  private final String key;
  private final Consumer<Verdict> say;
  private final long waitSteps;
  private Entry entry; // guarded by this
  private boolean writing; // guarded by this
  private boolean reported; // guarded by this

  /**
   * @param entry the key's entry when it is already journaled, else null
   * @param say prints a verdict on stderr
   */
  Interruption(String key, Entry entry, Consumer<Verdict> say, Duration writeWait) {
    this.key = key;
    this.entry = entry;
    this.say = say;
    this.waitSteps = Math.max(1, writeWait.toMillis() / STEP_MILLIS);
  }

  /**
   * The entry {@code journaled} gives; it calls back the Runnable it is given once the journal's
   * locks are held, just before it writes. After Ctrl-C has been reported, ends the command quietly
   * instead of going on to send.
   */
  Entry journal(Function<Runnable, Entry> journaled) {
    Entry e;
    try {
      e = journaled.apply(this::writing);
    } catch (RuntimeException failure) {
      written(null);
      throw failure;
    }
    written(e);
    return e;
  }

  private synchronized void writing() {
    if (reported) {
      throw CliException.alreadyReported(ExitCode.INTERRUPTED);
    }
    writing = true;
  }

  private synchronized void written(Entry journaled) {
    writing = false;
    notifyAll();
    if (journaled != null) {
      entry = journaled;
      if (reported) {
        throw CliException.alreadyReported(ExitCode.INTERRUPTED);
      }
    }
  }

  synchronized Entry entry() {
    return entry;
  }

  /** The shutdown hook: says what the interruption leaves. */
  synchronized void report() {
    reported = true;
    for (long i = 0; writing && i < waitSteps; i++) {
      try {
        wait(STEP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    say.accept(
        entry != null
            ? Verdict.interrupted(entry)
            : writing
                ? Verdict.interruptedWhileJournaling(key)
                : Verdict.interruptedBeforeSending(key));
  }
}
