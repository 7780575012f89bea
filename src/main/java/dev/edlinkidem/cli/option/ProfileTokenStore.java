package dev.edlinkidem.cli.option;

import dev.edlinkidem.config.FileLocks;
import dev.edlinkidem.config.SettingsException;
import dev.edlinkidem.config.UserClient;
import dev.edlinkidem.edlink.UserTokens;
import dev.edlinkidem.time.Time;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A profile's user client as the store of its refreshed tokens: the file {@code config set-client}
 * wrote, replaced atomically, and a lock file that processes sharing the profile refresh under.
 */
final class ProfileTokenStore implements UserTokens.Store {
  private static final Duration POLL = Duration.ofMillis(50);

  private final UserClient client;
  private final Path file;
  private final Path lockFile;
  private final Time time;

  ProfileTokenStore(UserClient client, Path file, Path lockFile, Time time) {
    this.client = client;
    this.file = file;
    this.lockFile = lockFile;
    this.time = time;
  }

  @Override
  public void save(String accessToken, String refreshToken) throws IOException {
    client.refreshed(accessToken, refreshToken).write(file);
  }

  @Override
  public UserTokens.Stored load() throws IOException {
    UserClient now;
    try {
      now = UserClient.read(file);
    } catch (SettingsException e) {
      throw new IOException(e.getMessage(), e);
    }
    return now == null ? null : new UserTokens.Stored(now.accessToken(), now.refreshToken());
  }

  @Override
  public Closeable lock(Duration atMost) throws IOException, InterruptedException {
    long started = time.nanoTime();
    for (; ; ) {
      Closeable held = FileLocks.tryExclusive(lockFile);
      if (held != null) {
        return held;
      }
      if (time.since(started).plus(POLL).compareTo(atMost) > 0) {
        throw new IOException(
            "another edlink-idem was still refreshing this profile's token when the time allowed"
                + " ran out ("
                + lockFile
                + ")");
      }
      time.sleep(POLL);
    }
  }
}
