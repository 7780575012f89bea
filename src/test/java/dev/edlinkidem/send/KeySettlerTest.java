package dev.edlinkidem.send;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edlinkidem.journal.Entry;
import dev.edlinkidem.journal.EntryState;
import dev.edlinkidem.journal.Outcome;
import dev.edlinkidem.journal.Window;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.RecordedResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settle rules post, replay and batch share, one case at a time. */
class KeySettlerTest {
  private static final Instant T0 = Instant.parse("2026-11-01T08:00:00Z");
  private static final JournaledRequest ESSAY = request("{\"title\":\"Essay\"}");

  static JournaledRequest request(String body) {
    return JournaledRequest.post(
        "https://ed.link/api/v2/graph/classes/c1/assignments",
        body.getBytes(StandardCharsets.UTF_8));
  }

  static Entry pending(JournaledRequest request) {
    return new Entry("k1", T0, request, request.fingerprint(), List.of(), null);
  }

  static Entry finished(JournaledRequest request, EntryState state, int status) {
    return pending(request)
        .withOutcome(
            new Outcome(
                state,
                T0.plusSeconds(1),
                new RecordedResponse(status, Map.of(), "{}".getBytes(StandardCharsets.UTF_8)),
                "post"));
  }

  private static Settlement.Kind post(Entry journaled, JournaledRequest asked, Instant now) {
    return KeySettler.settle("k1", Optional.ofNullable(journaled), asked, now).kind();
  }

  private static Settlement.Kind replay(Entry journaled, Instant now) {
    return KeySettler.settle("k1", Optional.of(journaled), null, now).kind();
  }

  @Test
  void theSameRequestToAnotherSpellingOfItsUrlIsNotAReusedKey() {
    JournaledRequest spelled =
        JournaledRequest.post(
            "HTTPS://ED.link.:443/api/v2/graph/classes/%63%31/assignments",
            "{\"title\":\"Essay\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(Settlement.Kind.RESEND, post(pending(spelled), ESSAY, T0.plusSeconds(60)));
    assertEquals(
        Settlement.Kind.RECORDED,
        post(finished(spelled, EntryState.SUCCEEDED, 200), ESSAY, T0.plusSeconds(60)));
    JournaledRequest elsewhere =
        JournaledRequest.post(
            "https://ed.link:8443/api/v2/graph/classes/c1/assignments",
            "{\"title\":\"Essay\"}".getBytes(StandardCharsets.UTF_8));
    assertEquals(Settlement.Kind.REUSED, post(pending(elsewhere), ESSAY, T0.plusSeconds(60)));
    // A server may take a trailing slash or a dot segment for another resource: not the same.
    for (String path : new String[] {"c1/assignments/", "c2/../c1/assignments"}) {
      JournaledRequest other =
          JournaledRequest.post(
              "https://ed.link/api/v2/graph/classes/" + path,
              "{\"title\":\"Essay\"}".getBytes(StandardCharsets.UTF_8));
      assertEquals(Settlement.Kind.REUSED, post(pending(other), ESSAY, T0.plusSeconds(60)), path);
    }
  }

  @Test
  void aKeyWithNothingJournaledIsNewAndIsPosted() {
    Settlement s = KeySettler.settle("k1", Optional.empty(), ESSAY, T0);
    assertEquals(Settlement.Kind.NEW, s.kind());
    assertEquals("post", s.via());
    assertTrue(s.kind().sends());
    assertThrows(
        IllegalArgumentException.class,
        () -> KeySettler.settle("k1", Optional.empty(), null, T0),
        "a replay needs an entry");
  }

  @Test
  void aPendingKeyInsideItsWindowIsSentAgainAndRecordedAsAReplay() {
    Instant beforeDeadline = T0.plus(Window.LENGTH).minus(Window.SKEW_MARGIN).minusSeconds(1);
    assertEquals(Settlement.Kind.RESEND, post(pending(ESSAY), ESSAY, beforeDeadline));
    assertEquals(Settlement.Kind.RESEND, replay(pending(ESSAY), beforeDeadline));
    assertEquals("replay", KeySettler.settle("k1", Optional.of(pending(ESSAY)), ESSAY, T0).via());
  }

  @Test
  void aPendingKeyPastItsReplayDeadlineIsRefusedForPostAndReplayAlike() {
    Instant deadline = T0.plus(Window.LENGTH).minus(Window.SKEW_MARGIN);
    assertEquals(Settlement.Kind.REPLAY_CLOSED, post(pending(ESSAY), ESSAY, deadline));
    assertEquals(Settlement.Kind.REPLAY_CLOSED, replay(pending(ESSAY), deadline));
    assertFalse(Settlement.Kind.REPLAY_CLOSED.sends());
  }

  @Test
  void aFinishedKeyShowsItsRecordedAnswerWithoutSending() {
    for (EntryState state : List.of(EntryState.SUCCEEDED, EntryState.FAILED)) {
      Entry done = finished(ESSAY, state, state == EntryState.SUCCEEDED ? 200 : 400);
      assertEquals(Settlement.Kind.RECORDED, post(done, ESSAY, T0.plus(Duration.ofDays(29))));
      assertEquals(Settlement.Kind.RECORDED, replay(done, T0.plus(Duration.ofDays(29))));
    }
  }

  @Test
  void aFinishedKeyPastItsWindowIsForgottenForANewPostButAReplayStillShowsItsAnswer() {
    Entry done = finished(ESSAY, EntryState.SUCCEEDED, 200);
    Instant ended = T0.plus(Window.LENGTH);
    assertEquals(Settlement.Kind.FORGOTTEN, post(done, ESSAY, ended));
    assertEquals(Settlement.Kind.RECORDED, replay(done, ended));
  }

  @Test
  void aKeyJournaledForAnotherRequestIsRefusedWhateverItsState() {
    JournaledRequest quiz = request("{\"title\":\"Quiz\"}");
    assertEquals(Settlement.Kind.REUSED, post(pending(ESSAY), quiz, T0));
    assertEquals(
        Settlement.Kind.REUSED, post(finished(ESSAY, EntryState.SUCCEEDED, 200), quiz, T0));
    assertEquals(Settlement.Kind.REUSED, post(pending(ESSAY), quiz, T0.plus(Window.LENGTH)));
  }

  @Test
  void aKeyAnotherProcessHoldsIsInFlight() {
    Settlement s = KeySettler.inFlight("k1");
    assertEquals(Settlement.Kind.IN_FLIGHT, s.kind());
    assertFalse(s.kind().sends());
  }
}
