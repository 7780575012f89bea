package dev.edlinkidem.reconcile;

import dev.edlinkidem.edlink.Answer;
import dev.edlinkidem.edlink.Envelope;
import dev.edlinkidem.edlink.RequestLog;
import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.RecordedResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Edlink's request log says of a pending entry, without sending it: the logged request that
 * settles it (a success, else a final refusal), read by the same answer rules as a send.
 *
 * @param state what the entry becomes: succeeded or failed
 * @param logged the logged request that says so
 */
public record LogVerdict(EntryState state, RequestLog.Logged logged) {
  /**
   * Whether a logged request is this entry's: the same key on a POST to the same path (Edlink logs
   * the path as received, its query with the key included), no earlier than the entry (less the
   * clock-skew margin). A GET that happened to carry the key says nothing about it.
   */
  public static boolean answers(Entry entry, RequestLog.Logged l) {
    String path = URI.create(entry.request().url()).getRawPath();
    return "POST".equalsIgnoreCase(l.method())
        && l.path() != null
        && path.equals(withoutQuery(l.path()))
        && (l.date() == null || !l.date().isBefore(entry.created().minus(Window.SKEW_MARGIN)));
  }

  /**
   * The earliest logged success, else the earliest logged final refusal; empty when the log says
   * neither.
   */
  public static Optional<LogVerdict> of(Entry entry, List<RequestLog.Logged> logged) {
    List<RequestLog.Logged> byDate =
        logged.stream()
            .filter(l -> answers(entry, l))
            .sorted(Comparator.comparing(l -> l.date() == null ? Instant.MIN : l.date()))
            .toList();
    for (Answer wanted : List.of(Answer.DONE, Answer.REJECTED)) {
      for (RequestLog.Logged l : byDate) {
        if (Answer.of(l.status(), Envelope.of(body(l))) == wanted) {
          return Optional.of(
              new LogVerdict(wanted == Answer.DONE ? EntryState.SUCCEEDED : EntryState.FAILED, l));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The earliest logged answer to the entry's request, for when the log settles nothing (Edlink's
   * own failure, a 5xx, a refused token, a redirect): the request did arrive.
   */
  public static Optional<RequestLog.Logged> undecided(Entry entry, List<RequestLog.Logged> logged) {
    return logged.stream()
        .filter(l -> answers(entry, l))
        .min(Comparator.comparing(l -> l.date() == null ? Instant.MIN : l.date()));
  }

  private static String withoutQuery(String path) {
    int q = path.indexOf('?');
    return q < 0 ? path : path.substring(0, q);
  }

  /** The outcome to record, learned by reconcile at {@code at}. */
  public Outcome outcome(Instant at) {
    return new Outcome(
        state,
        at,
        new RecordedResponse(
            logged.status(), Map.of("Content-Type", List.of("application/json")), body(logged)),
        "reconcile");
  }

  private static byte[] body(RequestLog.Logged l) {
    return l.output() == null ? new byte[0] : l.output().getBytes(StandardCharsets.UTF_8);
  }
}
