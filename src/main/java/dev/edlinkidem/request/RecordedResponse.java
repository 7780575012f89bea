package dev.edlinkidem.request;

import java.util.List;
import java.util.Map;

/** An HTTP response as the journal keeps it: status, headers and the exact body bytes. */
public record RecordedResponse(int status, Map<String, List<String>> headers, byte[] body) {
  public RecordedResponse {
    headers = Map.copyOf(headers);
    body = body.clone();
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The first value of a header, matched without regard to case, or null. */
  public String header(String name) {
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
        return e.getValue().get(0);
      }
    }
    return null;
  }
}
