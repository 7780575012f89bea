package dev.edlinkidem.request;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP response as the journal keeps it: status, headers and the exact body bytes, or the first
 * bytes of a body too large to keep.
 *
 * @param length how many body bytes the answer had, as far as they were read: more than {@code
 *     body.length} when the body was cut at the cap
 */
public record RecordedResponse(
    int status, Map<String, List<String>> headers, byte[] body, long length) {
  public RecordedResponse {
    // In the order given, which is the order journaled: Map.copyOf's order depends on the order
    // its keys went in, so an entry written again from one would come back in another order.
    Map<String, List<String>> kept = new LinkedHashMap<>();
    headers.forEach((name, values) -> kept.put(name, List.copyOf(values)));
    headers = Collections.unmodifiableMap(kept);
    body = body.clone();
    if (length < body.length) {
      throw new IllegalArgumentException("a body is never longer than its answer");
    }
  }

  /** A response whose body is whole. */
  public RecordedResponse(int status, Map<String, List<String>> headers, byte[] body) {
    this(status, headers, body, body.length);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** Whether the body was cut at the cap: what is kept is its beginning. */
  public boolean truncated() {
    return length > body.length;
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
