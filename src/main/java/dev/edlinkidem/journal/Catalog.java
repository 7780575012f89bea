package dev.edlinkidem.journal;

import dev.edlinkidem.journal.SummaryCache.Line;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Every entry's summary: the cache, checked against the entry files and healed where it fell
 * behind. What it trusts, and why that is safe:
 *
 * <ul>
 *   <li>a finished line: finished entries never change, and a finished line is only written once
 *       the outcome is on disk;
 *   <li>a pending line whose file still has the size the line recorded (one stat per pending entry;
 *       pending entries are few);
 *   <li>a directory whose mtime is the one a D line recorded: creating or removing a file in it
 *       would have changed it. Any other directory is listed, and files missing from the cache are
 *       read and added; a damaged cache trusts no directory.
 * </ul>
 *
 * The caller holds the gate, shared or exclusive.
 */
final class Catalog {
  /**
   * A directory changed this recently may change again within the same tick of the file-system
   * clock, leaving its mtime as it was; it is listed again next time rather than trusted.
   */
  static final long SETTLE_MILLIS = 2_000;

  final LinkedHashMap<String, Line> lines;
  final Map<String, Long> verifiedDirs;

  /** Files with no readable entry (a torn begin, a corrupt one), by hash, with their sizes. */
  final Map<String, Long> orphans;

  /** Unreadable lines in the files of pending entries and of entries known to have some. */
  final List<Problem> entryProblems;

  /** Unreadable lines in the orphans. */
  final List<Problem> orphanProblems;

  /** Whether the cache is damaged or mostly superseded lines, and should be rewritten. */
  final boolean wantsRewrite;

  private Catalog(
      LinkedHashMap<String, Line> lines,
      Map<String, Long> verifiedDirs,
      Map<String, Long> orphans,
      List<Problem> entryProblems,
      List<Problem> orphanProblems,
      boolean wantsRewrite) {
    this.lines = lines;
    this.verifiedDirs = verifiedDirs;
    this.orphans = orphans;
    this.entryProblems = entryProblems;
    this.orphanProblems = orphanProblems;
    this.wantsRewrite = wantsRewrite;
  }

  /** The bytes of every entry file. */
  long bytes() {
    return bytes(lines, orphans);
  }

  /** The bytes of the entry files these cache lines and unlisted files stand for. */
  static long bytes(Map<String, Line> lines, Map<String, Long> orphans) {
    long sum = 0;
    for (Line l : lines.values()) {
      sum += l.size();
    }
    for (long size : orphans.values()) {
      sum += size;
    }
    return sum;
  }

  /** The cache as this catalog would write it whole. */
  byte[] render() {
    return SummaryCache.render(lines.values(), orphans, verifiedDirs);
  }

  /**
   * Reads the cache and checks it against the entry files.
   *
   * @param mayHeal whether lines may be appended to the cache for what it lacked
   */
  static Catalog build(Layout layout, long nowMillis, boolean mayHeal) throws IOException {
    SummaryCache.Snapshot cache = SummaryCache.load(layout.cache());
    LinkedHashMap<String, Line> lines = cache.entries;
    Map<String, Long> orphans = new HashMap<>(cache.orphans);
    Map<String, Long> verified = new TreeMap<>();
    List<byte[]> heal = new ArrayList<>();
    List<Problem> entryProblems = new ArrayList<>();
    List<Problem> orphanProblems = new ArrayList<>();
    Set<String> readNow = new HashSet<>();
    Set<String> orphansReadNow = new HashSet<>();
    long settled = TimeUnit.MILLISECONDS.toNanos(nowMillis - SETTLE_MILLIS);

    List<String> dirs = entryDirectories(layout.entries());
    Map<String, List<String>> keysByDir = null;
    List<Line> found = new ArrayList<>();
    for (String dir : dirs) {
      Path dirPath = layout.entries().resolve(dir);
      long mtime = Files.getLastModifiedTime(dirPath).to(TimeUnit.NANOSECONDS);
      Long known = cache.damaged == 0 ? cache.dirs.get(dir) : null;
      if (known != null && known == mtime) {
        verified.put(dir, mtime);
        continue;
      }
      if (keysByDir == null) {
        keysByDir = byDirectory(lines);
      }
      Map<String, String> cachedByHash = new HashMap<>();
      for (String key : keysByDir.getOrDefault(dir, List.of())) {
        cachedByHash.put(Layout.hash(key), key);
      }
      Set<String> present = fileHashes(dirPath);
      cachedByHash.forEach(
          (hash, key) -> {
            if (!present.contains(hash)) {
              lines.remove(key);
              heal.add(SummaryCache.goneLine(key));
            }
          });
      for (String hash : present) {
        if (cachedByHash.containsKey(hash)) {
          continue;
        }
        Path file = dirPath.resolve(hash + Layout.ENTRY_SUFFIX);
        EntryFile.Read r = EntryFile.read(file, hash);
        if (r.entry() != null) {
          Line l = learn(file, r);
          found.add(l);
          readNow.add(l.key());
          entryProblems.addAll(r.problems());
          if (orphans.remove(hash) != null) {
            heal.add(SummaryCache.orphanLine(hash, -1));
          }
        } else if (r.exists()) {
          orphansReadNow.add(hash);
          orphanProblems.addAll(r.problems());
          Long was = orphans.put(hash, r.size());
          if (was == null || was != r.size()) {
            heal.add(SummaryCache.orphanLine(hash, r.size()));
          }
        }
      }
      for (String hash : new ArrayList<>(orphans.keySet())) {
        if (Layout.dirOf(hash).equals(dir) && !present.contains(hash)) {
          orphans.remove(hash);
          heal.add(SummaryCache.orphanLine(hash, -1));
        }
      }
      if (mtime < settled) {
        verified.put(dir, mtime);
        heal.add(SummaryCache.dirLine(dir, mtime));
      }
    }

    // Entries the cache lacked join it in the order they began: a rebuilt cache lists as the old
    // one did.
    found.sort(Comparator.comparing((Line l) -> l.summary().created()).thenComparing(Line::key));
    for (Line l : found) {
      lines.put(l.key(), l);
      heal.add(SummaryCache.entryLine(l));
    }

    Set<String> dirSet = new HashSet<>(dirs);
    lines
        .values()
        .removeIf(
            l -> {
              if (dirSet.contains(l.dir())) {
                return false;
              }
              heal.add(SummaryCache.goneLine(l.key()));
              return true;
            });
    orphans
        .keySet()
        .removeIf(
            hash -> {
              if (dirSet.contains(Layout.dirOf(hash))) {
                return false;
              }
              heal.add(SummaryCache.orphanLine(hash, -1));
              return true;
            });

    // A pending entry may have moved on (a crash between its record and its line, another
    // process at work); an entry with unreadable lines is read so that they are reported.
    for (Line l : new ArrayList<>(lines.values())) {
      if (readNow.contains(l.key()) || (l.finished() && l.problems() == 0)) {
        continue;
      }
      String hash = Layout.hash(l.key());
      Path file = layout.entryFile(hash);
      if (l.problems() == 0 && Disk.sizeOf(file) == l.size()) {
        continue;
      }
      EntryFile.Read r = EntryFile.read(file, hash);
      if (r.entry() == null) {
        lines.remove(l.key());
        heal.add(SummaryCache.goneLine(l.key()));
        if (r.exists()) {
          orphans.put(hash, r.size());
          orphansReadNow.add(hash);
          orphanProblems.addAll(r.problems());
          heal.add(SummaryCache.orphanLine(hash, r.size()));
        }
        continue;
      }
      entryProblems.addAll(r.problems());
      Line now = learn(file, r);
      if (!now.equals(l)) {
        lines.put(l.key(), now);
        heal.add(SummaryCache.entryLine(now));
      }
    }

    // Orphans are few and read every time, so that what is unreadable keeps being reported.
    for (String hash : new ArrayList<>(orphans.keySet())) {
      if (orphansReadNow.contains(hash)) {
        continue;
      }
      Path file = layout.entryFile(hash);
      EntryFile.Read r = EntryFile.read(file, hash);
      if (!r.exists() || r.entry() != null) {
        orphans.remove(hash);
        heal.add(SummaryCache.orphanLine(hash, -1));
        if (r.entry() != null && !lines.containsKey(r.entry().key())) {
          Line l = learn(file, r);
          lines.put(l.key(), l);
          heal.add(SummaryCache.entryLine(l));
          entryProblems.addAll(r.problems());
        }
        continue;
      }
      orphanProblems.addAll(r.problems());
      Long was = orphans.put(hash, r.size());
      if (was == null || was != r.size()) {
        heal.add(SummaryCache.orphanLine(hash, r.size()));
      }
    }

    if (mayHeal && !heal.isEmpty()) {
      try {
        SummaryCache.append(layout.cache(), heal);
      } catch (IOException e) {
        // The cache is derived: the next read finds the same and tries again.
      }
    }
    boolean wantsRewrite =
        cache.damaged > 0
            || cache.lines + heal.size()
                > 2L * (lines.size() + orphans.size()) + verified.size() + 1000;
    return new Catalog(lines, verified, orphans, entryProblems, orphanProblems, wantsRewrite);
  }

  /**
   * A line for an entry read from its file. A finished line is trusted from then on without looking
   * at the file, so the file is forced first: its writer may not have done so yet.
   */
  private static Line learn(Path file, EntryFile.Read r) throws IOException {
    Line l = Line.of(r.entry(), r.size(), r.problems().size());
    if (l.finished()) {
      Disk.forceFile(file);
    }
    return l;
  }

  private static Map<String, List<String>> byDirectory(Map<String, Line> lines) {
    Map<String, List<String>> m = new HashMap<>();
    for (Line l : lines.values()) {
      m.computeIfAbsent(l.dir(), d -> new ArrayList<>()).add(l.key());
    }
    return m;
  }

  /** The two-hex-digit directories under entries/, in order; none when there is no entries/ yet. */
  static List<String> entryDirectories(Path entries) throws IOException {
    List<String> dirs = new ArrayList<>();
    if (!Disk.isDirectory(entries)) {
      return List.of();
    }
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(entries)) {
      for (Path p : stream) {
        String name = p.getFileName().toString();
        if (name.length() == 2
            && name.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
          Disk.isDirectory(p); // a link in its place is refused, not listed through
          dirs.add(name);
        }
      }
    } catch (NoSuchFileException e) {
      return List.of();
    }
    dirs.sort(null);
    return dirs;
  }

  /** The hashes of the key files in one directory. */
  static Set<String> fileHashes(Path dir) throws IOException {
    Set<String> hashes = new HashSet<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        String hash = Layout.hashOfFileName(p.getFileName().toString());
        if (hash != null) {
          hashes.add(hash);
        }
      }
    } catch (NoSuchFileException e) {
      return hashes;
    }
    return hashes;
  }
}
