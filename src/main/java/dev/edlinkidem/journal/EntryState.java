package dev.edlinkidem.journal;

import java.util.Locale;

/** Where an entry stands: no final answer yet, or the final answer's kind. */
public enum EntryState {
  /** No final answer yet: in flight, interrupted, or no 2xx/4xx after the retries. */
  PENDING,
  /** Edlink answered 2xx. */
  SUCCEEDED,
  /** Edlink answered with a final 4xx. */
  FAILED;

  /** Made once: a listing asks each of its rows' states for it. */
  private final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }

  public static EntryState fromLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
