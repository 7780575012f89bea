package dev.edlinkidem.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What refreshes a profile's user tokens: the application's client id and secret, the user's
 * refresh token, and the access token it last gave, as {@code config set-client} stores them. None
 * of it is ever printed or journaled.
 *
 * @param accessToken the last access token, or null when there is none yet
 */
public record UserClient(
    String clientId, String clientSecret, String refreshToken, String accessToken) {
  private static final int MAX_BYTES = 64 * 1024;

  public UserClient {
    for (String value : new String[] {clientId, clientSecret, refreshToken}) {
      if (value == null || value.isEmpty() || !Settings.fitsAHeader(value)) {
        throw new IllegalArgumentException(
            "a client id, client secret and refresh token are each visible ASCII, not empty");
      }
    }
    if (accessToken != null && (accessToken.isEmpty() || !Settings.fitsAHeader(accessToken))) {
      throw new IllegalArgumentException("an access token is visible ASCII, not empty");
    }
  }

  /**
   * The same client after a refresh: a new access token, and the refresh token that came with it.
   */
  public UserClient refreshed(String newAccessToken, String newRefreshToken) {
    return new UserClient(
        clientId,
        clientSecret,
        newRefreshToken == null ? refreshToken : newRefreshToken,
        newAccessToken);
  }

  @Override
  public String toString() {
    return "UserClient[" + clientId + ", secrets never shown]";
  }

  /** Reads the file {@code config set-client} wrote; null when there is none. */
  public static UserClient read(Path file) {
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new SettingsException(file + " is larger than 64 KiB; is it the right file?");
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | UncheckedIOException e) {
      throw new SettingsException("cannot read " + file + ": " + Unreadable.why(e));
    }
    Map<String, String> fields = new LinkedHashMap<>();
    int number = 0;
    for (String line : text.split("\n", -1)) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 0) {
        throw new SettingsException(file + " line " + number + " is not 'name = value'");
      }
      fields.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
    }
    try {
      return new UserClient(
          fields.get("client-id"),
          fields.get("client-secret"),
          fields.get("refresh-token"),
          fields.get("access-token"));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(
          file
              + " lacks a usable client-id, client-secret or refresh-token; run 'edlink-idem config"
              + " set-client' again");
    }
  }

  /** Writes this client to {@code file}, mode 0600, replacing it atomically. */
  public void write(Path file) throws IOException {
    StringBuilder text =
        new StringBuilder()
            .append("client-id = ")
            .append(clientId)
            .append('\n')
            .append("client-secret = ")
            .append(clientSecret)
            .append('\n')
            .append("refresh-token = ")
            .append(refreshToken)
            .append('\n');
    if (accessToken != null) {
      text.append("access-token = ").append(accessToken).append('\n');
    }
    PrivateFile.replace(file, text.toString());
  }
}
