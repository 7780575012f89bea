package dev.edlinkidem.edlink;

/** Why a text people wrote is not JSON, in one line and without gson's advice to its own users. */
public final class JsonText {
  private JsonText() {}

  /**
   * Gson's message, without "See https://…", "Use JsonReader.setStrictness(…)" and its "path $…".
   */
  public static String whyInvalid(Exception e) {
    String message = e.getMessage();
    if (message == null) {
      return "malformed";
    }
    return message
        .replaceAll("\\s*See https?://\\S+", "")
        .replaceAll(
            "Use JsonReader\\.set\\w+\\([^)]*\\) to accept malformed JSON", "malformed JSON")
        .replaceAll(" path \\S*$", "")
        .strip()
        .replaceAll("\\s*\\R\\s*", "; ");
  }
}
