package dev.edlinkidem.cli;

import java.util.Collection;
import java.util.Optional;

/**
 * What a mistyped command or option name was most likely meant to be: the candidate fewest edits
 * away (a letter added, dropped, changed, or two neighbours swapped), when it is close enough that
 * the guess helps more than it misleads.
 */
public final class Typos {
  private Typos() {}

  /** The candidate {@code word} most likely meant, if one is near enough. */
  public static Optional<String> meant(String word, Collection<String> candidates) {
    if (word.replaceFirst("^-+", "").length() <= 1) {
      return Optional.empty(); // every one-letter name is one edit from every other: no guess
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(word, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // Two edits for a word of six letters or more, one for a shorter one: "lsit" is "list", but
    // "show" is not "post".
    int allowed = Math.max(1, Math.min(2, word.replaceFirst("^-+", "").length() / 3));
    return best != null && bestDistance > 0 && bestDistance <= allowed
        ? Optional.of(best)
        : Optional.empty();
  }

  /** "; did you mean 'X'?" for the likely candidate, or nothing. */
  public static String didYouMean(String word, Collection<String> candidates) {
    return meant(word, candidates).map(m -> "; did you mean '" + m + "'?").orElse("");
  }

  /** "unknown command 'X'", with the command it most likely meant. */
  public static String unknownCommand(String word, Collection<String> commands) {
    return "unknown command '" + word + "'" + didYouMean(word, commands);
  }

  /** The optimal string alignment distance: insertions, deletions, substitutions, swaps. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
