package dev.edlinkidem.journal;

/** A record the journal could not use: torn, corrupt, or from an unknown format version. */
public record Problem(String file, int line, long offset, String reason) {
  @Override
  public String toString() {
    return file + " line " + line + " (byte " + offset + "): " + reason;
  }
}
