package dev.edlinkidem.journal;

import dev.edlinkidem.fs.Ownership;
import dev.edlinkidem.journal.SummaryCache.Line;
import dev.edlinkidem.request.JournaledRequest;
import dev.edlinkidem.request.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The journal as a private directory of files (docs/journal-format.md, format 2): each key's
 * records in a file of their own, a summary cache for listing, and a lock file whose byte ranges
 * stand for the journal and for keys. Journaling a key, finding one and listing all of them each
 * cost the same at 100,000 entries as at ten.
 *
 * <p>Locks are POSIX record locks: the kernel drops them when a process dies, even by SIGKILL, so a
 * crashed sender never leaves a key locked. The lock file is opened once per journal and kept open,
 * because closing any descriptor of a file drops all of a process's locks on it.
 */
public final class FileJournal implements Journal {
  /**
   * Entries read under one shared hold by {@link #entries}, so that writers are not held up for
   * long.
   */
  private static final int ENTRIES_PER_HOLD = 256;

  private final Path dir;
  private final Layout layout;
  private final Transaction.Steps steps;
  private final Gate gate = new Gate();
  private final GroupCommit commits = new GroupCommit();
  private final Tombstones tombstones;

  /** A merge's source: read, never written, healed, recovered or created. */
  private final boolean readOnly;

  /**
   * Whether outcomes are appended without being forced (a batch); see {@link
   * #leaveOutcomesUnforced}.
   */
  private volatile boolean outcomesUnforced;

  private FileChannel lockChannel;
  private volatile List<Problem> problems = List.of();

  private FileJournal(Path dir, Transaction.Steps steps, boolean readOnly) {
    this.dir = dir;
    this.layout = new Layout(dir);
    this.steps = steps;
    this.readOnly = readOnly;
    this.tombstones = new Tombstones(layout);
  }

  /** Opens the journal in a directory; nothing is created until something is written. */
  public static FileJournal open(Path dir) throws JournalException {
    return open(dir, Transaction.NO_STEPS);
  }

  /** Opens the journal with a test's hook into remove and merge, to stop them as a crash would. */
  static FileJournal open(Path dir, Transaction.Steps steps) throws JournalException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new JournalException("journal " + dir + " is not a directory");
    }
    return new FileJournal(dir, steps, false);
  }

  /**
   * Opens another journal only to read it, as a merge reads its source: nothing in it is written,
   * healed or created, and a change left half-done in it is refused rather than finished, because
   * finishing it would write there.
   */
  public static FileJournal openToRead(Path dir) throws JournalException {
    if (!Files.isDirectory(dir)) {
      throw new JournalException(dir + " is not a directory");
    }
    return new FileJournal(dir, Transaction.NO_STEPS, true);
  }

  public Path directory() {
    return dir;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public List<Entry> entries() throws JournalException {
    if (!Files.isDirectory(dir)) {
      problems = List.of();
      return List.of();
    }
    try {
      Catalog built;
      Version1 old;
      try (Gate.Hold h = readLock()) {
        built = Catalog.build(layout, wallClockMillis(), mayHeal());
        old = Version1.read(layout);
      }
      Catalog catalog = built;
      compactIfWanted(catalog);
      List<Problem> found = new ArrayList<>(catalog.orphanProblems);
      Map<String, Entry> entries = new LinkedHashMap<>();
      List<String> keys = new ArrayList<>(catalog.lines.keySet());
      List<List<String>> chunks = new ArrayList<>();
      for (int i = 0; i < keys.size(); i += ENTRIES_PER_HOLD) {
        chunks.add(keys.subList(i, Math.min(keys.size(), i + ENTRIES_PER_HOLD)));
      }
      // Reading and parsing every file is the cost; the processors share it, the order stays.
      List<Chunk> read;
      try {
        read = chunks.parallelStream().map(chunk -> readChunk(chunk, catalog)).toList();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      for (Chunk chunk : read) {
        for (Entry e : chunk.entries()) {
          entries.put(e.key(), e);
        }
        found.addAll(chunk.problems());
      }
      if (old != null) {
        entries = withVersion1(entries, old);
        found.addAll(old.problems());
      }
      problems = List.copyOf(found);
      return new ArrayList<>(entries.values());
    } catch (IOException e) {
      throw cannotRead(e);
    }
  }

  /**
   * The entries of some keys, read under one shared hold, and the unreadable lines their files
   * have.
   */
  private record Chunk(List<Entry> entries, List<Problem> problems) {}

  private Chunk readChunk(List<String> keys, Catalog catalog) {
    List<Entry> entries = new ArrayList<>(keys.size());
    List<Problem> found = new ArrayList<>();
    List<byte[]> heal = new ArrayList<>();
    try (Gate.Hold h = readLock()) {
      for (String key : keys) {
        String hash = Layout.hash(key);
        Path file = layout.entryFile(hash);
        EntryFile.Read r = EntryFile.read(file, hash);
        found.addAll(r.problems());
        if (r.entry() == null) {
          // Its begin record was damaged after the cache listed it: listing must drop it and
          // report the file from now on, as it would had it read the file itself.
          if (catalog.lines.containsKey(key) && mayHeal()) {
            heal.add(SummaryCache.goneLine(key));
            if (r.exists()) {
              heal.add(SummaryCache.orphanLine(hash, r.size()));
            }
          }
          continue;
        }
        entries.add(r.entry());
        // A finished entry's file changed behind the cache's back (a hand edit, a damaged disk):
        // the cache learns it here, so that listing reports it from now on.
        Line seen = Line.of(r.entry(), r.size(), r.problems().size());
        if (!seen.equals(catalog.lines.get(key)) && mayHeal()) {
          if (seen.finished()) {
            Disk.forceFile(file);
          }
          heal.add(SummaryCache.entryLine(seen));
        }
      }
      if (!heal.isEmpty()) {
        cacheQuietly(heal);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Chunk(entries, found);
  }

  @Override
  public Optional<Entry> find(String key) throws JournalException {
    Found found = findWithProblems(key);
    problems = found.problems();
    return Optional.ofNullable(found.entry());
  }

  /** A key's entry (or null) and the unreadable records met on the way to it. */
  private record Found(Entry entry, List<Problem> problems) {}

  /**
   * Reads one key without touching {@link #problems}. A lease's {@link FileLease#entry} sets that
   * field for a command of one key to report; a batch's workers, which share the journal, do not
   * read it, and each lease counts its own file's unreadable lines from this.
   */
  private Found findWithProblems(String key) throws JournalException {
    if (!Files.isDirectory(dir)) {
      return new Found(null, List.of());
    }
    try (Gate.Hold h = readLock()) {
      String hash = Layout.hash(key);
      checkEntryDirectories(hash);
      EntryFile.Read r = EntryFile.read(layout.entryFile(hash), hash);
      Entry entry = r.entry();
      List<Problem> found = r.problems();
      Version1 old = version1KeptOut ? null : Version1.read(layout);
      if (old != null) {
        entry = Version1.combine(entry, old.entries().get(key));
        found = concat(found, old.problems());
      } else if (r.entry() != null && !r.problems().isEmpty() && mayHeal()) {
        // A record damaged after the entry was cached: listing trusts a finished line without
        // reading the file, so the cache learns here, as it does when entries() reads the file.
        Line seen = Line.of(r.entry(), r.size(), r.problems().size());
        if (seen.finished()) {
          Disk.forceFile(layout.entryFile(hash));
        }
        cacheQuietly(seen);
      }
      return new Found(entry, found);
    } catch (IOException e) {
      throw cannotRead(e);
    }
  }

  @Override
  public List<EntrySummary> summaries() throws JournalException {
    if (!Files.isDirectory(dir)) {
      problems = List.of();
      return List.of();
    }
    try {
      List<EntrySummary> summaries = new ArrayList<>();
      Catalog catalog;
      Version1 old;
      try (Gate.Hold h = readLock()) {
        catalog = Catalog.build(layout, wallClockMillis(), mayHeal());
        old = Version1.read(layout);
        if (old != null) {
          // Until the first write moves it, format 1's log is read beside the new layout.
          for (Entry e : old.entries().values()) {
            Entry ours = null;
            if (catalog.lines.containsKey(e.key())) {
              String hash = Layout.hash(e.key());
              ours = EntryFile.read(layout.entryFile(hash), hash).entry();
            }
            summaries.add(EntrySummary.of(Version1.combine(ours, e)));
          }
        }
      }
      for (Line l : catalog.lines.values()) {
        if (old == null || !old.entries().containsKey(l.key())) {
          summaries.add(l.summary());
        }
      }
      compactIfWanted(catalog);
      List<Problem> found = concat(catalog.entryProblems, catalog.orphanProblems);
      problems = old == null ? found : concat(found, old.problems());
      return summaries;
    } catch (IOException e) {
      throw cannotRead(e);
    }
  }

  /**
   * The keys a shell's Tab offers: those starting with {@code prefix}, pending ones only when
   * asked. Read from the summary cache alone, without the lock and without checking it against the
   * entry files, because a person pressing Tab waits for it: it may lack a key a crash kept out of
   * the cache, or offer one that finished a moment ago. Every command then given checks the key for
   * itself. Where there is no cache, or format 1's log is still beside it, the journal is read as
   * {@link #summaries} reads it.
   */
  @Override
  public List<String> keysToOffer(String prefix, boolean pendingOnly) throws JournalException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try {
      BasicFileAttributes old = Disk.attributesOf(layout.v1Log());
      List<String> keys =
          old == null || old.isDirectory()
              ? SummaryCache.keysToOffer(layout.cache(), prefix, pendingOnly)
              : null;
      if (keys != null) {
        return keys;
      }
    } catch (IOException e) {
      throw cannotRead(e);
    }
    return Journal.super.keysToOffer(prefix, pendingOnly);
  }

  @Override
  public Compaction remove(Collection<String> keys, boolean dryRun) throws JournalException {
    Set<String> wanted = new LinkedHashSet<>(keys);
    return change(
        wanted,
        dryRun,
        (draft, leased, changed, skipped) -> {
          List<Tombstone> marks = new ArrayList<>();
          Instant now = Instant.ofEpochMilli(wallClockMillis());
          for (String key : wanted) {
            if (leased.contains(key) && draft.has(key)) {
              marks.add(tombstoneOf(draft, key, now));
              draft.remove(key);
              changed.add(key);
            }
          }
          if (!dryRun) {
            // Durable before the removal is: a crash between leaves a tombstone beside a live
            // entry, which the entry outranks.
            tombstones.append(marks);
          }
        });
  }

  private static Tombstone tombstoneOf(Draft draft, String key, Instant now) throws IOException {
    Entry entry = draft.entry(key);
    if (entry != null) {
      return new Tombstone(key, entry.fingerprint(), entry.window().end(), now);
    }
    // Its records are unreadable, but its summary still says when its window ended.
    return new Tombstone(key, "", draft.lines.get(key).summary().window().end(), now);
  }

  @Override
  public Optional<Tombstone> tombstone(String key) throws JournalException {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Gate.Hold h = readLock()) {
      return Optional.ofNullable(tombstones.all().get(key));
    } catch (IOException e) {
      throw cannotRead(e);
    }
  }

  @Override
  public List<Tombstone> forgetTombstones(Instant endedBefore, boolean dryRun)
      throws JournalException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Gate.Hold h = writeLock()) {
      List<Tombstone> forgotten = new ArrayList<>();
      List<Tombstone> kept = new ArrayList<>();
      for (Tombstone t : tombstones.all().values()) {
        (t.windowEnd().isBefore(endedBefore) ? forgotten : kept).add(t);
      }
      if (!dryRun && !forgotten.isEmpty()) {
        tombstones.rewrite(kept);
        try {
          Disk.force(dir);
        } catch (IOException e) {
          throw new JournalException(
              "the tombstones were forgotten in "
                  + dir
                  + ", but making that durable failed ("
                  + Disk.reason(e)
                  + "); a crash now could bring them back: run it again",
              e);
        }
      }
      return forgotten;
    } catch (IOException e) {
      throw new JournalException(
          "cannot change the journal in " + dir + ": " + Disk.reason(e) + "; it is unchanged", e);
    }
  }

  @Override
  public Compaction merge(List<Entry> incoming, boolean dryRun) throws JournalException {
    Set<String> keys = new LinkedHashSet<>();
    incoming.forEach(e -> keys.add(e.key()));
    return change(
        keys,
        dryRun,
        (draft, leased, changed, skipped) -> {
          Map<String, Tombstone> pruned = tombstones.all();
          for (Entry theirs : incoming) {
            if (!leased.contains(theirs.key())) {
              continue; // in flight elsewhere: already reported
            }
            MergeRule.Decision d =
                MergeRule.decide(theirs, draft.entry(theirs.key()), pruned.get(theirs.key()));
            if (d.skipped()) {
              skipped.add(new Compaction.Skipped(theirs.key(), d.reason()));
            } else if (d.changes()) {
              draft.put(d.entry());
              changed.add(theirs.key());
            }
          }
        });
  }

  /**
   * Decides a remove's or a merge's changes on the draft; fills in what changed and what was
   * skipped.
   */
  private interface Change {
    void apply(
        Draft draft, Set<String> leased, List<String> changed, List<Compaction.Skipped> skipped)
        throws IOException;
  }

  /**
   * Leases the keys (skipping those in flight elsewhere), then, holding the gate exclusively,
   * drafts the change and commits it as one {@link Transaction}. A format 1 log still present is
   * moved into the new layout by the same transaction.
   */
  private Compaction change(Set<String> keys, boolean dryRun, Change change)
      throws JournalException {
    List<Lease> leases = new ArrayList<>();
    List<Compaction.Skipped> skipped = new ArrayList<>();
    Set<String> leased = new HashSet<>();
    try {
      for (String key : keys) {
        try {
          leases.add(lease(key));
          leased.add(key);
        } catch (KeyInFlightException e) {
          skipped.add(new Compaction.Skipped(key, "in flight in another process"));
        }
      }
      try (Gate.Hold h = writeLock()) {
        Catalog catalog = Catalog.build(layout, wallClockMillis(), true);
        Version1 old = Version1.read(layout);
        Draft draft = new Draft(layout, catalog, old == null ? 0 : old.size());
        if (old != null) {
          draft.absorb(old);
        }
        List<String> changed = new ArrayList<>();
        change.apply(draft, leased, changed, skipped);
        if (!dryRun && !changed.isEmpty()) {
          draft.commit(steps);
        }
        long after = changed.isEmpty() ? draft.bytesBefore() : draft.bytesAfter();
        return new Compaction(changed, skipped, draft.bytesBefore(), after);
      }
    } catch (Transaction.Unfinished e) {
      throw new JournalException(
          "the change to the journal in "
              + dir
              + " was made but not tidied up ("
              + e.getMessage()
              + "); the next edlink-idem command that uses it finishes the job",
          e);
    } catch (IOException e) {
      throw new JournalException(
          "cannot change the journal in " + dir + ": " + Disk.reason(e) + "; it is unchanged", e);
    } finally {
      for (Lease l : leases) {
        l.close();
      }
    }
  }

  @Override
  public List<Problem> problems() {
    return problems;
  }

  @Override
  public Lease lease(String key) throws JournalException, KeyInFlightException {
    FileChannel locks;
    try {
      locks = lockChannel(true);
    } catch (IOException e) {
      throw new JournalException("cannot open the journal in " + dir + ": " + Disk.reason(e), e);
    }
    FileLock lock;
    try {
      lock = locks.tryLock(regionOf(key), 1, false);
    } catch (OverlappingFileLockException e) {
      lock = null; // another thread of this process holds it
    } catch (IOException e) {
      throw new JournalException("cannot lock key in " + layout.lock() + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      throw new KeyInFlightException(key);
    }
    return new FileLease(key, lock);
  }

  /**
   * From now on an outcome is appended without forcing it, and its entry's cache line is left as it
   * was, so that the next reader that lists the journal reads the file, forces it, and only then
   * caches the entry as finished (see {@link Catalog}). For a batch: a power cut may lose the
   * latest outcomes, and their entries then read as pending, which is safe (sending them again with
   * their key gets Edlink's recorded answer); nothing is sent on the strength of an outcome. Begin
   * records are forced before sending, as always.
   */
  @Override
  public void leaveOutcomesUnforced() {
    outcomesUnforced = true;
  }

  /**
   * Groups of forced writes so far, and the records in them: how much forcing concurrent writers
   * shared.
   */
  @Override
  public long[] forcesShared() {
    return commits.counts();
  }

  /**
   * Closes the lock file, and with it this process's locks. Nothing written depends on it: every
   * record was forced (or left unforced on purpose) before, so a failing close is no news to report
   * after a request was sent.
   */
  @Override
  public synchronized void close() {
    try {
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      // The descriptor is gone either way, and the kernel drops its locks with it.
    }
  }

  /** The byte of the lock file that stands for a key: above byte 0, chosen by the key's SHA-256. */
  private static long regionOf(String key) {
    byte[] h = Sha256.digest(key.getBytes(StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return (v & 0x3fff_ffff_ffff_ffffL) + 1;
  }

  /**
   * Holds the gate shared. A change left in txn/ by a crash is finished (or thrown away) first:
   * whoever gets the gate knows its owner is gone, because the owner held it throughout.
   */
  private Gate.Hold readLock() throws IOException {
    while (true) {
      Gate.Hold hold = gate.shared(lockChannel(false));
      boolean unfinished;
      try {
        unfinished = !Disk.nothingAt(layout.txn()) && Disk.isDirectory(layout.txn());
      } catch (IOException e) {
        hold.close();
        throw e;
      }
      if (!unfinished) {
        return hold;
      }
      if (readOnly && !Disk.isFile(layout.txn().resolve(Transaction.COMMIT))) {
        return hold; // never committed: nothing outside txn/ was touched, and it is read as it is
      }
      hold.close();
      if (readOnly) {
        throw new IOException(
            "it holds a change left unfinished by a crash (txn/); finish it first with"
                + " 'edlink-idem --journal "
                + dir
                + " list' on the machine it came from, or copy it again");
      }
      try (Gate.Hold exclusive = gate.exclusive(lockChannel(true))) {
        Transaction.recover(layout);
      }
    }
  }

  private Gate.Hold writeLock() throws IOException {
    if (readOnly) {
      throw new IOException("it is open only to be read");
    }
    Gate.Hold hold = gate.exclusive(lockChannel(true));
    try {
      Transaction.recover(layout);
      return hold;
    } catch (IOException | RuntimeException e) {
      hold.close();
      throw e;
    }
  }

  /**
   * Whether reads may heal the cache: not in a directory no edlink-idem has written to (no lock
   * file).
   */
  private synchronized boolean mayHeal() {
    return lockChannel != null && !readOnly;
  }

  /**
   * The file system's own clock, against which directory mtimes are compared; deliberately not the
   * injectable clock of the commands, which tests move at will.
   */
  private static long wallClockMillis() {
    return System.currentTimeMillis();
  }

  /**
   * Rewrites a cache that is damaged or mostly superseded lines; the cache is derived, so a failure
   * is only a missed chance.
   */
  private void compactIfWanted(Catalog seen) {
    if (!seen.wantsRewrite || !mayHeal()) {
      return;
    }
    try (Gate.Hold h = writeLock()) {
      Catalog now = Catalog.build(layout, wallClockMillis(), true);
      SummaryCache.rewrite(layout.cache(), now.render());
    } catch (IOException | RuntimeException e) {
      // The next read tries again.
    }
  }

  /**
   * Format 1's entries first (they are older), each folded with the new layout's entry of its key.
   */
  private static Map<String, Entry> withVersion1(Map<String, Entry> ours, Version1 old) {
    Map<String, Entry> all = new LinkedHashMap<>();
    for (Entry e : old.entries().values()) {
      all.put(e.key(), Version1.combine(ours.get(e.key()), e));
    }
    ours.forEach(all::putIfAbsent);
    return all;
  }

  private JournalException cannotRead(IOException e) {
    return new JournalException("cannot read the journal in " + dir + ": " + Disk.reason(e), e);
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    if (b.isEmpty()) {
      return a;
    }
    List<T> all = new ArrayList<>(a);
    all.addAll(b);
    return List.copyOf(all);
  }

  private synchronized FileChannel lockChannel(boolean create) throws IOException {
    if (lockChannel != null) {
      return lockChannel;
    }
    if (readOnly) {
      // Shared holds need only reading: a source in use by its own edlink-idem is read whole.
      if (!Disk.isFile(layout.lock())) {
        return null;
      }
      lockChannel =
          FileChannel.open(layout.lock(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      return lockChannel;
    }
    if (!create && !Disk.isFile(layout.lock())) {
      return null;
    }
    ensureDirectory();
    lockChannel =
        Disk.openPrivate(layout.lock(), StandardOpenOption.READ, StandardOpenOption.WRITE);
    return lockChannel;
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, Disk.DIR_MODE);
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        Disk.force(parent);
      }
    } else if (Ownership.whyNotOwn(dir).isPresent()) {
      throw new IOException(dir + " " + Ownership.whyNotOwn(dir).get() + ", not yours to use");
    } else if (!Files.getPosixFilePermissions(dir).equals(Disk.PRIVATE_DIR)) {
      // Bodies name students: a journal directory made by hand with mkdir is closed to others.
      Files.setPosixFilePermissions(dir, Disk.PRIVATE_DIR);
    }
  }

  /**
   * Moves a format 1 log into the new layout, as one transaction, before the first write. The
   * caller holds the gate exclusively.
   */
  private boolean migrate() throws IOException {
    if (version1KeptOut) {
      return false;
    }
    Version1 old = Version1.read(layout);
    if (old == null) {
      BasicFileAttributes guard = Disk.attributesOf(layout.v1Log());
      version1KeptOut = guard != null && guard.isDirectory();
      return false;
    }
    Draft draft = new Draft(layout, Catalog.build(layout, wallClockMillis(), true), old.size());
    draft.absorb(old);
    draft.commit(steps);
    return true;
  }

  /**
   * Whether journal.jsonl was seen to be the directory that keeps version 1 out: then no version 1
   * log can appear in its place, and neither reads nor writes need look for one again.
   */
  private volatile boolean version1KeptOut;

  /**
   * Refuses entries/ or a key's directory that is a link: the key's file would be read or written
   * somewhere else. A missing one is fine.
   */
  private void checkEntryDirectories(String hash) throws IOException {
    if (Disk.isDirectory(layout.entries())) {
      Disk.isDirectory(layout.entries().resolve(Layout.dirOf(hash)));
    }
  }

  /** Makes entries/ (and the guard against format 1) and the key's directory, each durable. */
  private void makeEntryDirectories(String hash) throws IOException {
    if (Disk.makePrivateDirectory(layout.entries())) {
      Transaction.keepVersion1Out(layout);
    }
    Disk.makePrivateDirectory(layout.entries().resolve(Layout.dirOf(hash)));
  }

  /**
   * A line for the cache; the cache is derived, so a failure to write it only costs a later read.
   */
  private void cacheQuietly(Line line) {
    cacheQuietly(List.of(SummaryCache.entryLine(line)));
  }

  private void cacheQuietly(List<byte[]> lines) {
    try {
      SummaryCache.append(layout.cache(), lines);
    } catch (IOException e) {
      // The next read notices the file moved on and heals the cache.
    }
  }

  private final class FileLease implements Lease {
    private final String key;
    private final String hash;
    private final Path file;
    private final FileLock lock;

    /**
     * The entry as this lease last read or wrote it, and how many unreadable lines its file has.
     */
    private Entry entry;

    private int unreadable;

    /** How many of those are damaged rather than a crash's torn last line. */
    private long damaged;

    /** Whether records were appended since the last one forced. */
    private boolean unforced;

    /** Whether {@link #entry()} found no entry for the key, so that begin need not read again. */
    private boolean lookedAndFoundNothing;

    FileLease(String key, FileLock lock) {
      this.key = key;
      this.hash = Layout.hash(key);
      this.file = layout.entryFile(hash);
      this.lock = lock;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public Optional<Entry> entry() throws JournalException {
      Found found = findWithProblems(key);
      problems = found.problems();
      entry = found.entry();
      unreadable =
          (int) found.problems().stream().filter(p -> p.file().equals(file.toString())).count();
      damaged =
          found.problems().stream()
              .filter(p -> p.file().equals(file.toString()) && !p.torn())
              .count();
      lookedAndFoundNothing = entry == null;
      return Optional.ofNullable(entry);
    }

    @Override
    public boolean blank() throws JournalException {
      return entry().isEmpty() && unreadable == 0 && !Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Writes the begin record and its cache line holding the gate, then forces the record (and the
     * new file's name) after letting go, so that other keys' writers do not wait on this fsync.
     */
    @Override
    public Entry begin(JournaledRequest request, Instant at, Runnable writing)
        throws JournalException {
      Entry begun = new Entry(key, at, request, request.fingerprint(), List.of(), null);
      try {
        EntryFile.Written written;
        // Encoded before the gate: its exclusive holds are what every other worker waits on.
        byte[] record = RecordCodec.encode(RecordCodec.begin(key, at, request));
        try (Gate.Hold h = writeLock()) {
          writing.run();
          // Under the lease nobody else writes this key: what entry() saw still holds, unless
          // this very write moved a version 1 log in.
          if (migrate() || !lookedAndFoundNothing) {
            EntryFile.Read existing = EntryFile.read(file, hash);
            if (existing.entry() != null) {
              throw new IllegalStateException("key " + key + " is already journaled");
            }
            unreadable = existing.problems().size();
            damaged = existing.problems().stream().filter(p -> !p.torn()).count();
          }
          if (damaged > 0) {
            // It may be this key's earlier request, sent and forgotten by the journal: a new begin
            // would send the key again as new.
            throw new KeyHasRecordsException(
                "cannot journal "
                    + key
                    + ": its file "
                    + file
                    + " holds "
                    + damaged
                    + (damaged == 1 ? " record" : " records")
                    + " that cannot be read, which may be this key's earlier request; post with a"
                    + " new key only if you know that request never reached Edlink");
          }
          makeEntryDirectories(hash);
          written = EntryFile.append(file, record, true);
        }
        // A pending line is checked against the file's size, so it may follow the record under a
        // shared hold, which the other writers' and readers' holds do not wait for.
        cacheShared(Line.of(begun, written.size, unreadable));
        try {
          commits.force(written);
        } catch (IOException e) {
          throw new JournalException(
              "cannot write the journal " + file + ": " + Disk.reason(e) + takeBack(written), e);
        }
      } catch (IOException e) {
        throw cannotWrite(e);
      }
      entry = begun;
      return begun;
    }

    /**
     * Takes back a begin record whose forcing failed: its request will not be sent, so no entry may
     * be left that a later replay would send. Says how that went, for the failure's message.
     */
    private String takeBack(EntryFile.Written written) {
      try (Gate.Hold h = writeLock()) {
        if (written.created()) {
          Files.deleteIfExists(file);
          cacheQuietly(List.of(SummaryCache.goneLine(key)));
          Disk.force(file.getParent());
        } else {
          try (FileChannel c =
              FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            c.truncate(written.before);
            c.force(false);
          }
        }
        return "; the record was taken back";
      } catch (IOException | RuntimeException e) {
        return "; its record could not be taken back ("
            + (e instanceof IOException io ? Disk.reason(io) : e.toString())
            + "): if 'edlink-idem show "
            + key
            + "' finds it, replay it rather than post it again";
      }
    }

    /**
     * Appends an attempt without waiting for the disk: nothing is sent on the strength of it. The
     * outcome's forcing, or the lease's closing, makes it durable.
     */
    @Override
    public void recordAttempt(Attempt attempt) throws JournalException {
      write(
          RecordCodec.encode(RecordCodec.attempt(key, attempt)),
          e -> e.withAttempt(attempt),
          false);
    }

    @Override
    public void recordOutcome(Outcome outcome) throws JournalException {
      write(
          RecordCodec.encode(RecordCodec.outcome(key, outcome)), e -> e.withOutcome(outcome), true);
    }

    /** The final attempt and the outcome in one append, and so one forcing. */
    @Override
    public void recordFinal(Attempt attempt, Outcome outcome) throws JournalException {
      byte[] a = RecordCodec.encode(RecordCodec.attempt(key, attempt));
      byte[] o = RecordCodec.encode(RecordCodec.outcome(key, outcome));
      byte[] both = new byte[a.length + o.length];
      System.arraycopy(a, 0, both, 0, a.length);
      System.arraycopy(o, 0, both, a.length, o.length);
      write(both, e -> e.withAttempt(attempt).withOutcome(outcome), true);
    }

    /**
     * Appends a record. A finished entry's cache line is trusted without reading its file, so it is
     * written only once the outcome is forced; a pending line is checked against the file's size,
     * so it may go first.
     */
    private void write(byte[] record, UnaryOperator<Entry> next, boolean finishes)
        throws JournalException {
      try {
        EntryFile.Written written;
        Entry after;
        try (Gate.Hold h = writeLock()) {
          migrate();
          if (entry == null) {
            EntryFile.Read r = EntryFile.read(file, hash);
            entry = r.entry();
            unreadable = r.problems().size();
          }
          if (entry == null) {
            throw new JournalException(
                "cannot write the journal " + file + ": key " + key + " has no begin record");
          }
          checkEntryDirectories(hash);
          written = EntryFile.append(file, record, false);
          after = next.apply(entry);
          if (!finishes) {
            cacheQuietly(Line.of(after, written.size, unreadable));
          }
        }
        entry = after;
        if (finishes && outcomesUnforced) {
          // The cache keeps its older line: a reader finds the file grown, reads it and forces it.
          written.close();
          unforced = false;
          return;
        }
        if (!finishes) {
          // Nothing is sent on the strength of an attempt: the outcome's forcing, or close, covers
          // it.
          written.close();
          unforced = true;
          return;
        }
        commits.force(written);
        unforced = false;
        cacheShared(Line.of(after, written.size, unreadable));
      } catch (IOException e) {
        throw cannotWrite(e);
      }
    }

    /**
     * Appends a cache line under a shared hold, after the record it follows is written. Quiet, as
     * every cache write is: the record stands, and a begin or an outcome that failed here would
     * leave it behind (a begin's request unsent, yet pending for a replay to send).
     */
    private void cacheShared(Line line) {
      try (Gate.Hold h = readLock()) {
        cacheQuietly(line);
      } catch (IOException | UncheckedIOException | DirectoryIteratorException e) {
        // The next read finds the file moved on and heals the cache.
      }
    }

    private JournalException cannotWrite(IOException e) {
      return new JournalException("cannot write the journal " + file + ": " + Disk.reason(e), e);
    }

    /** Forces attempts written since the last forced record, then lets the key go. */
    @Override
    public void close() throws JournalException {
      try {
        if (unforced) {
          unforced = false;
          Disk.forceFile(file);
        }
      } catch (IOException e) {
        throw cannotWrite(e);
      } finally {
        Gate.release(lock);
      }
    }
  }
}
