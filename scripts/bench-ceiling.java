// The ceiling for scripts/bench: N POSTs of a new assignment, each with a fresh idempotency key,
// sent by CONCURRENCY threads that each call the JDK HttpClient's blocking send in a loop over one
// shared client (HTTP/1.1, as edlink-idem's client), with no journal and no retries.
//
//   java scripts/bench-ceiling.java URL N CONCURRENCY TOKEN
//
// URL is the sandbox's base URL (http://HOST:PORT). Prints one line of key=value pairs:
// requests, ok (2xx), failed, elapsed_ms and rps. Elapsed runs from the first send to the last
// response, so it leaves out the JVM's start, compiling this file and building the client; the
// caller times the whole process. Exits 1 when any request did not get a 2xx.

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

class BenchCeiling {
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: java scripts/bench-ceiling.java URL N CONCURRENCY TOKEN");
      System.exit(2);
    }
    String base = args[0].replaceAll("/+$", "");
    int n = Integer.parseInt(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    String token = args[3];
    // Unique to this process, so that no run is answered from the sandbox's idempotency store.
    String run = "ceiling-" + UUID.randomUUID().toString().substring(0, 8);

    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<String> firstErrors = new ArrayList<>();

    Runnable worker = () -> {
      for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
        String body = "{\"title\":\"Essay " + i + "\",\"description\":\"d\","
            + "\"due_date\":\"2026-12-01T23:59:00Z\",\"grading_type\":\"points\"}";
        HttpRequest request = HttpRequest.newBuilder()
            .uri(URI.create(base + "/api/v2/graph/classes/00000000-0000-4000-8000-" + String.format("%012d", i % 50) + "/assignments?$idempotency="
                + run + "-" + i))
            .timeout(Duration.ofSeconds(120))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        String error;
        try {
          HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
          if (response.statusCode() / 100 == 2) {
            ok.incrementAndGet();
            continue;
          }
          error = "HTTP " + response.statusCode();
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return;
          }
          error = e.toString();
        }
        failed.incrementAndGet();
        synchronized (firstErrors) {
          if (firstErrors.size() < 5) {
            firstErrors.add(error);
          }
        }
      }
    };

    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      threads.add(new Thread(worker, "ceiling-" + t));
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    long elapsedNanos = System.nanoTime() - start;

    double elapsedMs = elapsedNanos / 1e6;
    System.out.printf(Locale.ROOT, "requests=%d ok=%d failed=%d elapsed_ms=%.0f rps=%.1f%n",
        n, ok.get(), failed.get(), elapsedMs, n / (elapsedNanos / 1e9));
    firstErrors.forEach(e -> System.err.println("bench-ceiling: " + e));
    // As edlink-idem's Main does: a selector thread left in epoll_wait makes the JVM's exit wait
    // ~300 ms (docs/benchmarks.md), which would count against the ceiling's whole-process time.
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("HttpClient-") && thread.getName().endsWith("-SelectorManager")) {
        thread.interrupt();
        thread.join(200);
      }
    }
    System.exit(failed.get() == 0 ? 0 : 1);
  }
}
