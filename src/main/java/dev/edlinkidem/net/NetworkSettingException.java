package dev.edlinkidem.net;

import dev.edlinkidem.request.InvalidRequestException;

/**
 * A network setting that cannot be used: a proxy URL, a proxy exemption, or a CA file. The message
 * is one line for the user, and never holds a proxy's password; nothing has been journaled or sent.
 */
public final class NetworkSettingException extends InvalidRequestException {
  private static final long serialVersionUID = 1L;

  public NetworkSettingException(String message) {
    super(message);
  }
}
