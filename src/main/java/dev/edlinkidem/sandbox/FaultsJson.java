package dev.edlinkidem.sandbox;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.edlinkidem.time.DurationSyntax;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Faults as JSON for {@code /__sandbox/faults}, under the names of the command's options ({@code
 * drop-after-commit}, ..., {@code latency: "200ms"}); underscores are accepted too.
 */
final class FaultsJson {
  // The same spelling as the command line's durations; repeated here because this package
  // knows nothing of the command line.

  private FaultsJson() {}

  static JsonObject write(Faults faults) {
    JsonObject json = new JsonObject();
    json.addProperty("drop-after-commit", faults.dropAfterCommit());
    json.addProperty("drop-before-commit", faults.dropBeforeCommit());
    json.addProperty("error-rate", faults.errorRate());
    json.addProperty("throttle-rate", faults.throttleRate());
    json.addProperty("latency", faults.latency().toMillis() + "ms");
    json.addProperty("rate-limit", faults.rateLimit());
    json.addProperty("internal-error-rate", faults.internalErrorRate());
    json.addProperty("internal-after-commit", faults.internalAfterCommit());
    return json;
  }

  /** The given faults with the fields named in {@code changes} replaced. */
  static Faults update(Faults faults, JsonObject changes) {
    double dropAfter = faults.dropAfterCommit();
    double dropBefore = faults.dropBeforeCommit();
    double error = faults.errorRate();
    double throttle = faults.throttleRate();
    Duration latency = faults.latency();
    double internalError = faults.internalErrorRate();
    double internalAfter = faults.internalAfterCommit();
    double rateLimit = faults.rateLimit();
    for (Map.Entry<String, JsonElement> change : changes.entrySet()) {
      String name = change.getKey().toLowerCase(Locale.ROOT).replace('_', '-');
      JsonElement value = change.getValue();
      switch (name) {
        case "drop-after-commit":
          dropAfter = probability(name, value);
          break;
        case "drop-before-commit":
          dropBefore = probability(name, value);
          break;
        case "error-rate":
          error = probability(name, value);
          break;
        case "throttle-rate":
          throttle = probability(name, value);
          break;
        case "latency":
          latency = duration(value);
          break;
        case "internal-error-rate":
          internalError = probability(name, value);
          break;
        case "internal-after-commit":
          internalAfter = probability(name, value);
          break;
        case "rate-limit":
          rateLimit = rateLimit(value);
          break;
        default:
          throw new IllegalArgumentException(
              "unknown fault '"
                  + change.getKey()
                  + "'; known: drop-after-commit, drop-before-commit, error-rate, throttle-rate,"
                  + " latency, internal-error-rate, internal-after-commit, rate-limit");
      }
    }
    return new Faults(
        dropAfter, dropBefore, error, throttle, latency, internalError, internalAfter, rateLimit);
  }

  /** A rate limit as a number a second, or text such as "100/s"; 0 or "off" for none. */
  private static double rateLimit(JsonElement value) {
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      return value.getAsDouble();
    }
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      return Faults.parseRateLimit(value.getAsString());
    }
    throw new IllegalArgumentException(
        "rate-limit must be a number of requests a second or text like \"100/s\"; got " + value);
  }

  private static double probability(String name, JsonElement value) {
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      double p = value.getAsDouble();
      if (p >= 0 && p <= 1) {
        return p;
      }
    }
    throw new IllegalArgumentException(name + " must be a number between 0 and 1, got " + value);
  }

  /** A duration written like 500ms, 30s, 10m, 72h or 3d, or a number of milliseconds. */
  private static Duration duration(JsonElement value) {
    if (value.isJsonPrimitive()) {
      JsonPrimitive p = value.getAsJsonPrimitive();
      if (p.isNumber() && p.getAsDouble() >= 0 && p.getAsDouble() == Math.rint(p.getAsDouble())) {
        return Duration.ofMillis(p.getAsLong());
      }
      if (p.isString()) {
        try {
          return DurationSyntax.parse(p.getAsString());
        } catch (IllegalArgumentException notADuration) {
          // fall through to the message below, which also mentions milliseconds
        }
      }
    }
    throw new IllegalArgumentException(
        "latency must be a duration like 500ms, 30s or 10m, or a number of milliseconds; got "
            + value);
  }
}
