package dev.edlinkidem.journal;

import com.google.gson.JsonObject;
import dev.edlinkidem.request.JournaledRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The journal's records as another store keeps them: each one line of JSON with its checksum,
 * exactly as the file journal writes it (docs/journal-format.md), so that an entry moved between
 * stores reads back the same, and a damaged record is caught wherever it lies.
 */
public final class JournalRecords {
  private JournalRecords() {}

  /** What a list of records folds into: the entries, and the records that could not be used. */
  public record Read(Map<String, Entry> entries, List<Problem> problems) {}

  /** The record that journals a new request. */
  public static byte[] begin(String key, Instant at, JournaledRequest request) {
    return line(RecordCodec.begin(key, at, request));
  }

  public static byte[] attempt(String key, Attempt attempt) {
    return line(RecordCodec.attempt(key, attempt));
  }

  public static byte[] outcome(String key, Outcome outcome) {
    return line(RecordCodec.outcome(key, outcome));
  }

  /** Every record of an entry, in order, one line each. */
  public static byte[] entry(Entry entry) {
    return RecordCodec.encodeEntry(entry);
  }

  /**
   * Folds records, one line each (newline included), into entries in the order their first records
   * come; {@code where} names their place for a problem's report.
   */
  public static Read fold(byte[] lines, String where) {
    RecordCodec.Folded folded = RecordCodec.foldFile(lines, where, key -> true);
    return new Read(folded.entries(), folded.problems());
  }

  /** One record, its newline included. */
  private static byte[] line(JsonObject record) {
    return RecordCodec.encode(record);
  }
}
