package dev.edlinkidem.journal;

import dev.edlinkidem.request.JournaledRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The write-ahead record of every request: what was sent, every attempt, and the final answer.
 * Reading is free; writing a key's records needs that key's {@link Lease}.
 */
public interface Journal extends AutoCloseable {
  /** Every entry, in the order their keys were first journaled. */
  List<Entry> entries() throws JournalException;

  Optional<Entry> find(String key) throws JournalException;

  /**
   * What a read of one key found: its entry, when its records make one, and the unreadable records
   * met reading it, those alone (where {@link #problems} may hold other reads' too).
   */
  record KeyRead(Optional<Entry> entry, List<Problem> problems) {
    public KeyRead {
      problems = List.copyOf(problems);
    }

    /** Listed, perhaps, but its records cannot make its entry. */
    public boolean damaged() {
      return entry.isEmpty() && !problems.isEmpty();
    }
  }

  /**
   * The key's entry with the unreadable records met reading it. By default from {@link #find} and
   * {@link #problems}, which are those of the last read.
   */
  default KeyRead read(String key) throws JournalException {
    Optional<Entry> entry = find(key);
    return new KeyRead(entry, problems());
  }

  /**
   * A summary of every entry (order unspecified): what list and expiring read, fast at any size.
   */
  List<EntrySummary> summaries() throws JournalException;

  /**
   * The summaries of the entries {@code selection} picks, in its order: what list and expiring
   * read. By default picked from {@link #summaries()}; a journal with indexes reads no others.
   */
  default List<EntrySummary> summaries(Selection selection) throws JournalException {
    return summaries().stream()
        .filter(selection::picks)
        .sorted(selection.order().comparator())
        .limit(selection.limit())
        .toList();
  }

  /**
   * {@link #summaries(Selection)}, each given to {@code each} as it is read: {@code expiring} makes
   * a summary's row of its table while a journal with a server reads the next ones. By default from
   * {@link #summaries(Selection)}.
   */
  default void summaries(Selection selection, Consumer<EntrySummary> each) throws JournalException {
    summaries(selection).forEach(each);
  }

  /**
   * How many entries {@code selection} picks, at most its limit: the shell's count of pending
   * entries before each prompt. By default from {@link #summaries(Selection)}; a journal with
   * indexes counts them there.
   */
  default int count(Selection selection) throws JournalException {
    return summaries(selection).size();
  }

  /**
   * The keys of the entries {@code selection} picks, in its order, each given to {@code each} as it
   * is read: {@code list --format keys}, which at a million entries should hold none of them. By
   * default from {@link #summaries(Selection)}.
   */
  default void keys(Selection selection, Consumer<String> each) throws JournalException {
    summaries(selection).forEach(s -> each.accept(s.key()));
  }

  /**
   * The keys that start with {@code prefix}, in key order: a prefix a user typed for a key. By
   * default from {@link #summaries()}; a journal with an index of keys reads no others.
   */
  default List<String> keysStartingWith(String prefix) throws JournalException {
    return summaries().stream()
        .map(EntrySummary::key)
        .filter(k -> k.startsWith(prefix))
        .sorted()
        .toList();
  }

  /**
   * The summaries of the entries whose keys start with {@code prefix}, in key order: the shell's
   * Tab describes them when many keys match what is typed. By default from {@link #summaries()}; a
   * journal with an index of keys reads no others.
   */
  default List<EntrySummary> summariesStartingWith(String prefix) throws JournalException {
    return summaries().stream()
        .filter(s -> s.key().startsWith(prefix))
        .sorted(Comparator.comparing(EntrySummary::key))
        .toList();
  }

  /**
   * The neighbours in key order, among all this journal's keys, of each of {@code keys} (keys of
   * this journal). By default from {@link #summaries()}.
   */
  default Map<String, Neighbours> neighbours(Collection<String> keys) throws JournalException {
    return Neighbours.of(keys, summaries().stream().map(EntrySummary::key).toList());
  }

  /**
   * The neighbours, as {@link #neighbours} gives them, of only those of {@code keys} that share
   * their first {@code chars} characters with another key of this journal ({@link
   * Neighbours#sharing}): a table cuts keys no shorter than a floor, so only the keys that start as
   * another does for that long need theirs, and at a million keys they are few. By default from
   * {@link #neighbours}; a journal with a key index looks for the others' prefixes there.
   */
  default Map<String, Neighbours> neighboursSharing(Collection<String> keys, int chars)
      throws JournalException {
    return Neighbours.sharing(neighbours(keys), chars);
  }

  /**
   * Removes the entries of these keys, all or none: a crash part-way leaves the journal as it was.
   * Keys in flight in another process are skipped and reported.
   */
  Compaction remove(Collection<String> keys, boolean dryRun) throws JournalException;

  /**
   * Brings entries from another journal in, all or none. A key not here is added; the same key for
   * the same request (fingerprint) folds the attempts together and keeps the outcome this journal
   * has, else the other's; the same key for a different request is skipped and reported.
   */
  Compaction merge(List<Entry> incoming, boolean dryRun) throws JournalException;

  /**
   * What prune kept of the key's entry when it removed it. While it stands the settle rules ({@code
   * KeySettler}, a batch's {@code LineSender}) refuse the key as its entry would have been refused:
   * Edlink has forgotten the key, so sending it again would act again. The journal itself only
   * keeps it; {@link Lease#begin} does not check it.
   */
  Optional<Tombstone> tombstone(String key) throws JournalException;

  /**
   * Forgets the tombstones of windows that ended before {@code endedBefore}, all or none, and
   * returns them; after that their keys are new to this journal.
   */
  List<Tombstone> forgetTombstones(Instant endedBefore, boolean dryRun) throws JournalException;

  /** Records that could not be used during the last read, for the user to hear about. */
  List<Problem> problems();

  /** Where the journal is, for a message: its directory. */
  String location();

  /**
   * The keys a shell's Tab offers: those starting with {@code prefix}, pending ones only when
   * asked, newest first. Best effort, for a person waiting on Tab: every command then given checks
   * the key for itself. By default read from {@link #summaries}.
   */
  default List<String> keysToOffer(String prefix, boolean pendingOnly) throws JournalException {
    List<EntrySummary> all = new ArrayList<>(summaries());
    Collections.reverse(all);
    return all.stream()
        .filter(s -> s.key().startsWith(prefix))
        .filter(s -> !pendingOnly || s.state() == EntryState.PENDING)
        .map(EntrySummary::key)
        .toList();
  }

  /**
   * Lets outcomes reach the disk with later writes instead of each on its own, for a batch; begin
   * records are made durable before sending, always. An outcome lost to a power cut reads as
   * pending, which is safe: its key sent again gets Edlink's recorded answer. By default every
   * write is made durable at once.
   */
  default void leaveOutcomesUnforced() {}

  /**
   * Groups of durable writes so far and the records in them, {@code {groups, records}}: how much
   * concurrent writers shared; null where the journal does not count them.
   */
  default long[] forcesShared() {
    return null;
  }

  /**
   * Takes a key for this process until the lease is closed, so that one key is sent by one process
   * at a time.
   *
   * @throws KeyInFlightException at once, without waiting, when another process holds the key
   */
  Lease lease(String key) throws JournalException, KeyInFlightException;

  /**
   * Takes two keys at once (a batch line's key, and the key an earlier build derived for it): the
   * lease of {@code first}, and of {@code second} unless another process holds it (then null). By
   * default one after the other; a journal may take both in one step.
   *
   * @throws KeyInFlightException when another process holds {@code first}; nothing is held then
   */
  default Lease[] leaseBoth(String first, String second)
      throws JournalException, KeyInFlightException {
    Lease a = lease(first);
    try {
      return new Lease[] {a, lease(second)};
    } catch (KeyInFlightException e) {
      return new Lease[] {a, null};
    } catch (JournalException | RuntimeException e) {
      a.close();
      throw e;
    }
  }

  @Override
  void close() throws JournalException;

  /** The right to write one key's records; everything written through it is forced to disk. */
  interface Lease extends AutoCloseable {
    String key();

    /** The key's entry as it stands now that no other process can change it. */
    Optional<Entry> entry() throws JournalException;

    /**
     * Whether the journal holds nothing at all of the key: no entry, and no record of it, readable
     * or not (a tombstone is the journal's to tell, {@link Journal#tombstone}).
     */
    default boolean blank() throws JournalException {
      return entry().isEmpty();
    }

    /** Journals a new request durably; it must be on disk before its first byte is sent. */
    default Entry begin(JournaledRequest request, Instant at) throws JournalException {
      return begin(request, at, () -> {});
    }

    /**
     * Journals a new request durably, running {@code writing} once the journal's locks are held and
     * just before the record is written: an unchecked exception from it leaves nothing written.
     */
    Entry begin(JournaledRequest request, Instant at, Runnable writing) throws JournalException;

    void recordAttempt(Attempt attempt) throws JournalException;

    void recordOutcome(Outcome outcome) throws JournalException;

    /**
     * Records the attempt that brought the final answer, and the answer: as the two calls, or in
     * one write.
     */
    default void recordFinal(Attempt attempt, Outcome outcome) throws JournalException {
      recordAttempt(attempt);
      recordOutcome(outcome);
    }

    @Override
    void close() throws JournalException;
  }
}
