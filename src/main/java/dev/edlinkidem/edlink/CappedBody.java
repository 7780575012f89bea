package dev.edlinkidem.edlink;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body up to a cap and stops there: a body that goes on (1 GB, or one that never
 * ends) costs no more memory than the cap, and the answer is settled by its status as soon as the
 * cap is reached. The connection is then closed rather than read to its end.
 */
final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Kept> {
  /**
   * What was kept: the body's first bytes, and how many bytes were read (more than those kept when
   * the body was cut at the cap).
   */
  record Kept(byte[] bytes, long length) {}

  private final int cap;

  /** The bytes kept, as they came: joined once at the end, so that a large body is copied once. */
  private final List<byte[]> parts = new ArrayList<>();

  private int kept;
  private final CompletableFuture<Kept> result = new CompletableFuture<>();
  private long seen;
  private Flow.Subscription subscription;

  CappedBody(int cap) {
    this.cap = cap;
  }

  @Override
  public CompletionStage<Kept> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    this.subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : buffers) {
      int n = b.remaining();
      int room = cap - kept;
      if (room > 0) {
        byte[] part = new byte[Math.min(room, n)];
        b.get(part);
        parts.add(part);
        kept += part.length;
      }
      seen += n;
    }
    if (seen > cap) {
      // Enough to know what the answer is; the rest is not read.
      result.complete(new Kept(joined(), seen));
      subscription.cancel();
      return;
    }
    subscription.request(1);
  }

  @Override
  public void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public void onComplete() {
    result.complete(new Kept(joined(), seen));
  }

  private byte[] joined() {
    byte[] all = new byte[kept];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    parts.clear();
    return all;
  }
}
