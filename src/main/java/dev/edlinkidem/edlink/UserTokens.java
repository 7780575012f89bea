package dev.edlinkidem.edlink;

import java.io.IOException;
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
  }

  private final TokenEndpoint endpoint;
  private final String clientId;
  private final String clientSecret;
  private final Store store;
  private final Consumer<String> warn;
  private String refreshToken;
  private String token;
  private boolean renewed;

  /**
   * @param token the access token to start with, or null to get one by refreshing at once
   * @param warn told, in one line without the tool's name, that a refresh could not be stored
   */
  public UserTokens(
      TokenEndpoint endpoint,
      String clientId,
      String clientSecret,
      String refreshToken,
      String token,
      Store store,
      Consumer<String> warn) {
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
  public synchronized Renewal renew(String refused) throws InterruptedException {
    if (token != null && !token.equals(refused)) {
      return new Renewal(token, null); // another sender renewed it already
    }
    if (renewed) {
      return Renewal.failed("the token refreshed in this run was refused too");
    }
    renewed = true;
    TokenEndpoint.Granted granted;
    try {
      granted = endpoint.refresh(clientId, clientSecret, refreshToken);
    } catch (TokenEndpoint.Refused e) {
      return Renewal.failed("refreshing the user token failed: " + e.getMessage());
    }
    if (granted.refreshToken() != null) {
      refreshToken = granted.refreshToken();
    }
    try {
      store.save(granted.accessToken(), refreshToken);
    } catch (IOException e) {
      warn.accept(
          "the refreshed user token could not be stored ("
              + e.getMessage()
              + "); if Edlink spent the old refresh token, run 'edlink-idem config set-client'"
              + " again");
    }
    token = granted.accessToken();
    return new Renewal(token, null);
  }
}
