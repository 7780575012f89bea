package dev.edlinkidem.journal;

/** A record the journal could not use: torn, corrupt, or from an unknown format version. */
public record Problem(String file, int line, long offset, String reason) {
  /** The reason of a last line cut short by a crash while it was written: never relied on. */
  static final String TORN = "torn record at the end (no newline): ignored";

  /** Whether this is a crash's torn last line, rather than a record damaged or edited. */
  public boolean torn() {
    return TORN.equals(reason);
  }

  @Override
  public String toString() {
    return file + " line " + line + " (byte " + offset + "): " + reason;
  }
}
