package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The journal as one append-only file of JSON lines in a private directory, with a lock file
 * whose byte ranges stand for keys (see docs/journal-format.md).
 *
 * <p>Locks are POSIX record locks: the kernel drops them when a process dies, even by SIGKILL,
 * so a crashed sender never leaves a key locked. The lock file is opened once per journal and
 * kept open, because closing any descriptor of a file drops all of a process's locks on it.
 */
public final class FileJournal implements Journal {
  static final String LOG_FILE = "journal.jsonl";
  static final String LOCK_FILE = "journal.lock";
  private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
  private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE = PosixFilePermissions.asFileAttribute(PRIVATE_DIR);
  private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  /** Byte 0 of the lock file serialises appends; keys lock single bytes above it. */
  private static final long APPEND_REGION = 0;

  private final Path dir;
  private final Path log;
  private final ReentrantLock appendMutex = new ReentrantLock();
  private FileChannel lockChannel;
  private FileChannel logChannel;
  /** The inode of the log this process has open, to notice when a compaction replaced it. */
  private Object logFileKey;
  private volatile List<Problem> problems = List.of();

  private FileJournal(Path dir) {
    this.dir = dir;
    this.log = dir.resolve(LOG_FILE);
  }

  /** Opens the journal in a directory; nothing is created until something is written. */
  public static FileJournal open(Path dir) throws JournalException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new JournalException("journal " + dir + " is not a directory");
    }
    return new FileJournal(dir);
  }

  public Path directory() {
    return dir;
  }

  @Override
  public List<Entry> entries() throws JournalException {
    return new ArrayList<>(scan().values());
  }

  @Override
  public Optional<Entry> find(String key) throws JournalException {
    return Optional.ofNullable(scan().get(key));
  }

  @Override
  public List<EntrySummary> summaries() throws JournalException {
    return scan().values().stream().map(EntrySummary::of).toList();
  }

  @Override
  public Compaction remove(java.util.Collection<String> keys, boolean dryRun) throws JournalException {
    Set<String> wanted = new java.util.LinkedHashSet<>(keys);
    return rewrite(wanted, dryRun, (entries, changed, skipped) -> {
      for (String key : wanted) {
        if (entries.remove(key) != null) {
          changed.add(key);
        }
      }
    });
  }

  @Override
  public Compaction merge(List<Entry> incoming, boolean dryRun) throws JournalException {
    Set<String> keys = new java.util.LinkedHashSet<>();
    incoming.forEach(e -> keys.add(e.key()));
    return rewrite(keys, dryRun, (entries, changed, skipped) -> {
      for (Entry theirs : incoming) {
        Entry ours = entries.get(theirs.key());
        if (ours == null) {
          entries.put(theirs.key(), theirs);
          changed.add(theirs.key());
        } else if (!ours.fingerprint().equals(theirs.fingerprint())) {
          skipped.add(new Compaction.Skipped(theirs.key(), "the same key for a different request ("
              + theirs.request().method() + " " + theirs.request().url() + "); left as it is here"));
        } else {
          Entry folded = ours.foldedWith(theirs);
          if (!folded.equals(ours)) {
            entries.put(theirs.key(), folded);
            changed.add(theirs.key());
          }
        }
      }
    });
  }

  /** Decides a compaction's changes on the folded entries; fills in what changed and what was skipped. */
  private interface Change {
    void apply(Map<String, Entry> entries, List<String> changed, List<Compaction.Skipped> skipped);
  }

  /**
   * Rewrites the log as a new file and renames it over the old one, so that a crash at any point
   * leaves either the old journal or the new one, whole. Keys are leased for the duration; a key
   * in flight elsewhere is skipped. Unreadable lines are kept aside in journal.jsonl.unreadable.
   */
  private Compaction rewrite(Set<String> keys, boolean dryRun, Change change) throws JournalException {
    List<Lease> leases = new ArrayList<>();
    List<Compaction.Skipped> skipped = new ArrayList<>();
    Set<String> leased = new java.util.HashSet<>();
    try {
      for (String key : keys) {
        try {
          leases.add(lease(key));
          leased.add(key);
        } catch (KeyInFlightException e) {
          skipped.add(new Compaction.Skipped(key, "in flight in another process"));
        }
      }
      appendMutex.lock();
      FileLock exclusive = null;
      try {
        exclusive = lockChannel(true).lock(APPEND_REGION, 1, false);
        byte[] before = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
        Map<String, Entry> entries = fold(before);
        Map<String, Entry> untouchable = new LinkedHashMap<>();
        for (String key : keys) {
          if (!leased.contains(key) && entries.containsKey(key)) {
            untouchable.put(key, entries.get(key));
          }
        }
        List<String> changed = new ArrayList<>();
        Map<String, Entry> after = new LinkedHashMap<>(entries);
        change.apply(after, changed, skipped);
        after.putAll(untouchable); // what is in flight stays exactly as it was
        changed.removeAll(untouchable.keySet());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(before.length);
        after.values().forEach(e -> RecordCodec.encodeEntry(e, out));
        byte[] bytes = out.toByteArray();
        if (!dryRun && !changed.isEmpty()) {
          keepUnreadable(before);
          replaceLog(bytes);
        }
        return new Compaction(changed, skipped, before.length, changed.isEmpty() ? before.length : bytes.length);
      } finally {
        release(exclusive);
        appendMutex.unlock();
      }
    } catch (IOException e) {
      throw new JournalException("cannot rewrite the journal " + log + ": " + reason(e) + "; it is unchanged", e);
    } finally {
      for (Lease l : leases) {
        l.close();
      }
    }
  }

  /** Unreadable lines are not dropped by a rewrite: they go, as they were, to a file beside the log. */
  private void keepUnreadable(byte[] before) throws IOException {
    java.io.ByteArrayOutputStream bad = new java.io.ByteArrayOutputStream();
    int start = 0;
    while (start < before.length) {
      int end = start;
      while (end < before.length && before[end] != '\n') {
        end++;
      }
      if (end > start) {
        try {
          RecordCodec.decode(before, start, end);
        } catch (RecordCodec.BadRecord e) {
          bad.write(before, start, end - start);
          bad.write('\n');
        }
      }
      start = end + 1;
    }
    if (bad.size() > 0) {
      try (FileChannel c = openPrivate(dir.resolve(LOG_FILE + ".unreadable"), StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        c.write(ByteBuffer.wrap(bad.toByteArray()));
        c.force(false);
      }
    }
  }

  /** Writes the new log beside the old, forces it, and renames it into place. */
  private void replaceLog(byte[] bytes) throws IOException {
    Path temp = dir.resolve(LOG_FILE + ".new");
    Files.deleteIfExists(temp);
    try (FileChannel c = openPrivate(temp, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        c.write(buf);
      }
      c.force(true);
    }
    Files.move(temp, log, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    forceDirectory();
    synchronized (this) {
      if (logChannel != null) {
        logChannel.close();
        logChannel = null;
      }
    }
  }

  @Override
  public List<Problem> problems() {
    return problems;
  }

  @Override
  public Lease lease(String key) throws JournalException, KeyInFlightException {
    FileChannel locks = lockChannel(true);
    FileLock lock;
    try {
      lock = locks.tryLock(regionOf(key), 1, false);
    } catch (OverlappingFileLockException e) {
      lock = null; // another thread of this process holds it
    } catch (IOException e) {
      throw new JournalException("cannot lock key in " + dir.resolve(LOCK_FILE) + ": " + e.getMessage(), e);
    }
    if (lock == null) {
      throw new KeyInFlightException(key);
    }
    return new FileLease(key, lock);
  }

  @Override
  public synchronized void close() throws JournalException {
    try {
      if (logChannel != null) {
        logChannel.close();
      }
      if (lockChannel != null) {
        lockChannel.close();
      }
    } catch (IOException e) {
      throw new JournalException("cannot close the journal: " + e.getMessage(), e);
    }
  }

  /** The operating system's reason, without the path that the message already names. */
  static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    if (e instanceof java.nio.file.FileSystemException) {
      return e.getClass().getSimpleName().replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static long regionOf(String key) {
    byte[] h = Fingerprint.sha256().digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (h[i] & 0xff);
    }
    return (v & 0x3fff_ffff_ffff_ffffL) + 1;
  }

  /**
   * Reads every record under a shared lock (so no half-written append is seen) and folds them.
   * Locks are taken in one order everywhere: the append mutex, then this object's monitor.
   */
  private Map<String, Entry> scan() throws JournalException {
    byte[] bytes;
    FileLock shared = null;
    // Within this process the mutex orders reads and appends; the shared lock does it across processes.
    appendMutex.lock();
    try {
      FileChannel locks = lockChannel(false);
      if (locks != null) {
        shared = locks.lock(APPEND_REGION, 1, true);
      }
      bytes = Files.readAllBytes(log);
    } catch (NoSuchFileException e) {
      bytes = new byte[0];
    } catch (IOException e) {
      throw new JournalException("cannot read the journal " + log + ": " + reason(e), e);
    } finally {
      release(shared);
      appendMutex.unlock();
    }
    return fold(bytes);
  }

  private Map<String, Entry> fold(byte[] bytes) {
    RecordCodec.Folded folded = RecordCodec.foldFile(bytes, log.toString(), key -> true);
    problems = folded.problems();
    return folded.entries();
  }

  private synchronized FileChannel lockChannel(boolean create) throws JournalException {
    if (lockChannel != null) {
      return lockChannel;
    }
    Path path = dir.resolve(LOCK_FILE);
    if (!create && !Files.exists(path)) {
      return null;
    }
    try {
      ensureDirectory();
      lockChannel = openPrivate(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return lockChannel;
    } catch (IOException e) {
      throw new JournalException("cannot open the journal in " + dir + ": " + reason(e), e);
    }
  }

  private void ensureDirectory() throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, DIR_MODE);
      Path parent = dir.toAbsolutePath().getParent();
      if (parent != null) {
        force(parent);
      }
    } else if (!Files.getPosixFilePermissions(dir).equals(PRIVATE_DIR)) {
      // Bodies name students: a journal directory made by hand with mkdir is closed to others.
      Files.setPosixFilePermissions(dir, PRIVATE_DIR);
    }
  }

  /** Opens a file, creating it with mode 0600 (and making its name durable) when it is new. */
  private FileChannel openPrivate(Path path, StandardOpenOption... modes) throws IOException {
    Set<StandardOpenOption> options = new java.util.HashSet<>(List.of(modes));
    try {
      options.add(StandardOpenOption.CREATE_NEW);
      FileChannel channel = FileChannel.open(path, options, FILE_MODE);
      forceDirectory();
      return channel;
    } catch (FileAlreadyExistsException e) {
      options.remove(StandardOpenOption.CREATE_NEW);
      return FileChannel.open(path, options);
    }
  }

  private void forceDirectory() throws IOException {
    force(dir);
  }

  private static void force(Path directory) throws IOException {
    try (FileChannel d = FileChannel.open(directory, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /**
   * Appends one record and forces it to disk before returning. A failed append is cut back off,
   * so that what follows is not glued to half a record.
   */
  private void append(byte[] line) throws JournalException {
    appendMutex.lock();
    FileLock exclusive = null;
    try {
      exclusive = lockChannel(true).lock(APPEND_REGION, 1, false);
      FileChannel channel = logChannel();
      long size = channel.size();
      if (logFileKey != null && !logFileKey.equals(currentLogKey())) {
        // Another process compacted the journal and renamed a new log into place: append to that one.
        synchronized (this) {
          logChannel.close();
          logChannel = null;
        }
        channel = logChannel();
        size = channel.size();
      }
      try {
        long at = size;
        if (size > 0 && !endsWithNewline(channel, size)) {
          // A torn record from a crash: end it, so that it stays one bad line and this one stays good.
          at += channel.write(ByteBuffer.wrap(new byte[] {'\n'}), at);
        }
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
          at += channel.write(buf, at);
        }
        channel.force(false);
      } catch (IOException e) {
        try {
          channel.truncate(size);
          channel.force(false);
        } catch (IOException ignored) {
          // The torn tail will be reported and skipped by the next read.
        }
        throw e;
      }
    } catch (IOException e) {
      throw new JournalException("cannot write the journal " + log + ": " + reason(e), e);
    } finally {
      release(exclusive);
      appendMutex.unlock();
    }
  }

  private synchronized FileChannel logChannel() throws IOException {
    if (logChannel == null) {
      ensureDirectory();
      logChannel = openPrivate(log, StandardOpenOption.READ, StandardOpenOption.WRITE);
      logFileKey = currentLogKey();
    }
    return logChannel;
  }

  private Object currentLogKey() throws IOException {
    try {
      return Files.readAttributes(log, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private static boolean endsWithNewline(FileChannel channel, long size) throws IOException {
    ByteBuffer last = ByteBuffer.allocate(1);
    channel.read(last, size - 1);
    return last.get(0) == '\n';
  }

  private static void release(FileLock lock) {
    if (lock != null) {
      try {
        lock.release();
      } catch (IOException ignored) {
        // The lock goes with the descriptor or the process anyway.
      }
    }
  }

  private final class FileLease implements Lease {
    private final String key;
    private final FileLock lock;
    private Entry entry;

    FileLease(String key, FileLock lock) {
      this.key = key;
      this.lock = lock;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public Optional<Entry> entry() throws JournalException {
      entry = find(key).orElse(null);
      return Optional.ofNullable(entry);
    }

    @Override
    public Entry begin(JournaledRequest request, Instant at) throws JournalException {
      if (entry().isPresent()) {
        throw new IllegalStateException("key " + key + " is already journaled");
      }
      append(RecordCodec.encode(RecordCodec.begin(key, at, request)));
      entry = new Entry(key, at, request, request.fingerprint(), List.of(), null);
      return entry;
    }

    @Override
    public void recordAttempt(Attempt attempt) throws JournalException {
      append(RecordCodec.encode(RecordCodec.attempt(key, attempt)));
    }

    @Override
    public void recordOutcome(Outcome outcome) throws JournalException {
      append(RecordCodec.encode(RecordCodec.outcome(key, outcome)));
    }

    @Override
    public void close() {
      release(lock);
    }
  }
}
