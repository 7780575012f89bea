package dev.edlinkidem.journal;

import dev.edlinkidem.time.TimeText;
import java.util.List;
import java.util.Optional;

/**
 * Finds the journal key a user means: the key itself, or a unique prefix of at least 6 characters.
 */
public final class KeyResolver {
  public static final int MIN_PREFIX = 6;

  private KeyResolver() {}

  /** No key, or more than one, is what the user typed. */
  public static final class Unresolved extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unresolved(String message) {
      super(message);
    }
  }

  /**
   * The entry of the key a user means; one listed but whose records cannot be read is said so, not
   * taken for a missing key.
   *
   * @throws JournalException when the key's records cannot be read: the journal's damage, not what
   *     the user typed
   */
  public static Entry entry(Journal journal, String given) throws JournalException {
    String key = resolve(journal, given);
    Journal.KeyRead read = journal.read(key);
    if (read.entry().isEmpty()) {
      throw new JournalException(unreadable(key, read.problems()));
    }
    return read.entry().get();
  }

  /**
   * What to say of a key listed but whose entry cannot be read, {@code problems} the unreadable
   * records its read met: whole in itself, as the warning that names them is not printed under
   * --quiet. With none, the entry went while it was read (another process removed it).
   */
  public static String unreadable(String key, List<Problem> problems) {
    if (problems.isEmpty()) {
      return "the entry of " + key + " was removed while it was read";
    }
    return "the entry of "
        + key
        + " cannot be read: its records are damaged: "
        + problems.get(0)
        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : "");
  }

  public static String resolve(Journal journal, String given) throws JournalException {
    if (journal.find(given).isPresent()) {
      return given;
    }
    Optional<Tombstone> pruned = journal.tombstone(given);
    if (pruned.isPresent()) {
      throw new Unresolved(
          "no entry has the key '"
              + given
              + "': prune removed it after its "
              + Window.NAME
              + " ended "
              + TimeText.when(pruned.get().windowEnd()));
    }
    List<String> starting = journal.keysStartingWith(given);
    // Too short for a prefix, it may still be a listed key whose records cannot be read.
    return resolve(
        given.length() < MIN_PREFIX && !starting.contains(given) ? List.of() : starting, given);
  }

  public static String resolve(List<String> keys, String given) {
    if (keys.contains(given)) {
      return given;
    }
    if (given.length() < MIN_PREFIX) {
      throw new Unresolved(
          "no entry has the key '"
              + given
              + "' (a prefix needs at least "
              + MIN_PREFIX
              + " characters)");
    }
    List<String> matches = keys.stream().filter(k -> k.startsWith(given)).sorted().toList();
    if (matches.isEmpty()) {
      throw new Unresolved("no entry has a key starting with '" + given + "'");
    }
    if (matches.size() > 1) {
      throw new Unresolved(
          "'"
              + given
              + "' is ambiguous: "
              + matches.size()
              + " keys start with it ("
              + String.join(", ", matches.stream().limit(3).toList())
              + (matches.size() > 3 ? ", ..." : "")
              + "); give more characters");
    }
    return matches.get(0);
  }
}
