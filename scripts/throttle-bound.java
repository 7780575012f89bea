// The best a batch can do against `sandbox --throttle-rate P` (429 with Retry-After: 1 at random),
// for scripts/bench's (b): a model, not a measurement. An ideal client sends one attempt after
// another at RATE attempts a second (what the unthrottled batch does on this machine: it is
// CPU-bound), with no latency and no pace of its own; each attempt is throttled with chance P and
// may be sent again 1 s after it was answered, never sooner; a retry that is due goes before the
// next line. Prints, for each LINES, the unthrottled time (LINES / RATE), the median and best of
// RUNS throttled times, and unthrottled / throttled: the highest (b) ratio any client that honours
// Retry-After can reach there.
//
//   java scripts/throttle-bound.java RATE P RUNS LINES...
//
// For example `java scripts/throttle-bound.java 530 0.12 200 2000 10000`.

import java.util.Arrays;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

public class ThrottleBound {
  public static void main(String[] args) {
    if (args.length < 4) {
      System.err.println("usage: java scripts/throttle-bound.java RATE P RUNS LINES...");
      System.exit(2);
    }
    double rate = Double.parseDouble(args[0]);
    double p = Double.parseDouble(args[1]);
    int runs = Integer.parseInt(args[2]);
    for (int i = 3; i < args.length; i++) {
      int lines = Integer.parseInt(args[i]);
      double unthrottled = lines / rate;
      double[] walls = new double[runs];
      for (int seed = 0; seed < runs; seed++) {
        walls[seed] = wall(lines, rate, p, new SplittableRandom(seed));
      }
      Arrays.sort(walls);
      double median = walls[runs / 2];
      System.out.printf(
          Locale.ROOT,
          "lines=%d rate=%.0f p=%.2f unthrottled_s=%.2f throttled_median_s=%.2f ratio_median=%.3f"
              + " ratio_best=%.3f%n",
          lines,
          rate,
          p,
          unthrottled,
          median,
          unthrottled / median,
          unthrottled / walls[0]);
    }
  }

  /** Seconds until the last line is answered with something other than a 429. */
  static double wall(int lines, double rate, double p, SplittableRandom random) {
    double attempt = 1 / rate;
    double now = 0;
    int unsent = lines;
    int done = 0;
    PriorityQueue<Double> due = new PriorityQueue<>();
    while (done < lines) {
      if (!due.isEmpty() && due.peek() <= now) {
        due.poll();
      } else if (unsent > 0) {
        unsent--;
      } else {
        now = due.peek(); // nothing to send until the next retry is due
        continue;
      }
      now += attempt;
      if (random.nextDouble() < p) {
        due.add(now + 1.0);
      } else {
        done++;
      }
    }
    return now;
  }
}
