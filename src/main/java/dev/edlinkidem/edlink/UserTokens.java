package dev.edlinkidem.edlink;

import dev.edlinkidem.time.Time;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A user token that renews itself once per run: when the User API refuses it, the refresh token is
 * exchanged at Edlink's token endpoint for a new access token and a new refresh token, which are
 * stored before the new token is used, so that the rotated refresh token is never lost with a crash
 * after it is spent.
 */
public final class UserTokens implements Bearer {
  /** Keeps a refresh's tokens (the caller's profile, mode 0600, replaced atomically). */
  public interface Store {
    void save(String accessToken, String refreshToken) throws IOException;

    /** The tokens stored now, which another process may have refreshed; null when none. */
    Stored load() throws IOException;

    /**
     * Holds off other processes refreshing the same tokens until closed: a refresh and the write of
     * its tokens are one step for everyone who shares the store. Waits at most {@code atMost} for
     * another to finish, then fails.
     */
    Closeable lock(Duration atMost) throws IOException, InterruptedException;
  }

  /** The tokens a store holds; the access token may be null. */
  public record Stored(String accessToken, String refreshToken) {
    @Override
    public String toString() {
      return "Stored[tokens never shown]";
    }
  }

  private final TokenEndpoint endpoint;
  private final String clientId;
  private final String clientSecret;
  private final Store store;
  private final Consumer<String> warn;
  private final Time time;
  private String refreshToken;
  private String token;
  private boolean renewed;
  private String failure;

  /**
   * @param token the access token to start with, or null to get one by refreshing at once
   * @param warn told, in one line without the tool's name, that a refresh could not be stored
   * @param time what the wait for another process's refresh is taken from the time allowed by
   */
  public UserTokens(
      TokenEndpoint endpoint,
      String clientId,
      String clientSecret,
      String refreshToken,
      String token,
      Store store,
      Consumer<String> warn,
      Time time) {
    this.time = time;
    this.endpoint = endpoint;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.refreshToken = refreshToken;
    this.token = token;
    this.store = store;
    this.warn = warn;
  }

  @Override
  public synchronized String token() {
    return token;
  }

  @Override
  public synchronized Renewal renew(String refused, Duration atMost) throws InterruptedException {
    if (token != null && !token.equals(refused)) {
      return new Renewal(token, null); // another sender renewed it already
    }
    if (renewed) {
      return Renewal.failed(
          failure != null
              ? failure
              : "the token refreshed in this run was refused too: see to the user's access");
    }
    renewed = true;
    long asked = time.nanoTime();
    try (Closeable held = store.lock(atMost)) {
      // Another process (a parallel CI step on the same profile) may have refreshed since this
      // one read the profile: its tokens are then the ones to use, and the old refresh token may
      // be spent.
      if (takeStored(refused)) {
        return new Renewal(token, null);
      }
      // The wait for another process's refresh came out of the time allowed.
      return refresh(atMost.minus(time.since(asked)));
    } catch (IOException e) {
      failure = "refreshing the user token failed: " + e.getMessage();
      return Renewal.failed(failure);
    }
  }

  private Renewal refresh(Duration atMost) throws InterruptedException {
    TokenEndpoint.Granted granted;
    try {
      granted = endpoint.refresh(clientId, clientSecret, refreshToken, atMost);
    } catch (TokenEndpoint.Refused e) {
      failure = "refreshing the user token failed: " + e.getMessage();
      return e.unanswered() ? Renewal.unanswered(failure) : Renewal.failed(failure);
    }
    if (granted.refreshToken() != null) {
      refreshToken = granted.refreshToken();
    }
    try {
      store.save(granted.accessToken(), refreshToken);
    } catch (IOException | RuntimeException e) {
      warn.accept(
          "the refreshed user token could not be stored ("
              + e.getMessage()
              + "); if Edlink spent the old refresh token, run 'edlink-idem config set-client'"
              + " again");
    }
    token = granted.accessToken();
    return new Renewal(token, null);
  }

  /**
   * Takes the stored tokens when another process refreshed them: a refresh token other than this
   * one's, with an access token other than the refused one.
   */
  private boolean takeStored(String refused) {
    Stored stored;
    try {
      stored = store.load();
    } catch (IOException e) {
      return false; // unreadable now: refresh with the token this run has
    }
    if (stored == null
        || stored.accessToken() == null
        || stored.accessToken().equals(refused)
        || stored.refreshToken().equals(refreshToken)) {
      return false;
    }
    refreshToken = stored.refreshToken();
    token = stored.accessToken();
    return true;
  }
}
