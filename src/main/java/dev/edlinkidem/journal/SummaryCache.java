package dev.edlinkidem.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code summary.tsv}: what listing needs of every entry, so that {@code list} and {@code expiring}
 * read one file instead of one per key. It is derived from the entry files: appended without
 * forcing, the latest line of a key winning, checked against the entry files by {@link Catalog} and
 * rebuilt from them when it is damaged or gone. Lines, tab-separated, each ending with the CRC-32C
 * of what comes before its last tab:
 *
 * <pre>
 * E key dir size problems created state status attempts method url finished via crc   an entry
 * X key crc                                                                          an entry gone
 * B hash size crc                         a file with no readable entry (size -1: it is gone)
 * D dir mtime crc      every file in entries/dir when it had this mtime has a line above this one
 * </pre>
 */
final class SummaryCache {
  private SummaryCache() {}

  /** An entry as the cache has it: its summary, and what it knew of the entry's file. */
  record Line(EntrySummary summary, String dir, long size, int problems) {
    static Line of(Entry entry, long size, int problems) {
      return new Line(
          EntrySummary.of(entry), Layout.dirOf(Layout.hash(entry.key())), size, problems);
    }

    String key() {
      return summary.key();
    }

    boolean finished() {
      return summary.state() != EntryState.PENDING;
    }
  }

  /**
   * The cache as read: latest line per key in first-appearance order, verified directories,
   * orphans.
   */
  static final class Snapshot {
    final LinkedHashMap<String, Line> entries;
    final Map<String, Long> dirs = new HashMap<>();
    final Map<String, Long> orphans = new HashMap<>();
    final boolean present;
    int lines;
    int damaged;

    Snapshot(boolean present, int expectedEntries) {
      this.present = present;
      this.entries = new LinkedHashMap<>(expectedEntries * 4 / 3 + 16);
    }
  }

  static Snapshot load(Path file) throws IOException {
    byte[] b;
    try {
      b = Disk.readAll(file);
    } catch (Disk.NotPlain e) {
      if (e.link) {
        throw e; // a link in its place is not followed, and not silently lived with
      }
      return new Snapshot(false, 0);
    } catch (IOException e) {
      // Missing, or something else in its place: the cache is derived, so it is rebuilt from the
      // files.
      return new Snapshot(false, 0);
    }
    List<List<Object>> parts = parseInParts(b);
    Snapshot s = new Snapshot(true, parts.stream().mapToInt(List::size).sum());
    for (List<Object> part : parts) {
      for (Object parsed : part) {
        s.lines++;
        if (parsed instanceof Line l) {
          s.entries.put(l.key(), l);
        } else if (parsed instanceof Gone g) {
          s.entries.remove(g.key());
        } else if (parsed instanceof Orphan o) {
          if (o.size() < 0) {
            s.orphans.remove(o.hash());
          } else {
            s.orphans.put(o.hash(), o.size());
          }
        } else if (parsed instanceof Verified v) {
          s.dirs.put(v.dir(), v.mtime());
        } else {
          s.damaged++;
        }
      }
    }
    return s;
  }

  /**
   * The keys a shell's Tab offers, read from the cache alone: those that start with {@code prefix},
   * and only pending ones when asked, each key's latest line winning. Best effort, for a person to
   * choose from: it neither locks nor checks the cache against the entry files, as {@link Catalog}
   * does, so a key whose line a crash lost is missing, and one that finished since is offered. A
   * line that fails its checksum is skipped. Null when there is no cache to read.
   */
  static List<String> keysToOffer(Path file, String prefix, boolean pendingOnly)
      throws IOException {
    try {
      if (!Disk.isFile(file)) {
        return null;
      }
    } catch (Disk.NotPlain e) {
      if (e.link) {
        throw e; // as load does: a link in its place is not followed
      }
      return null; // a directory or a pipe in its place: no cache
    }
    byte[] want = prefix.getBytes(StandardCharsets.UTF_8);
    Offered offered = new Offered();
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      byte[] b = new byte[1 << 20];
      int filled = 0;
      boolean overlong = false; // in a line longer than any the cache writes: skipped whole
      while (true) {
        if (filled == b.length) {
          if (b.length >= LONGEST_LINE) {
            overlong = true;
            filled = 0;
          } else {
            b = Arrays.copyOf(b, b.length * 2); // a line longer than the buffer
          }
        }
        int n = c.read(ByteBuffer.wrap(b, filled, b.length - filled));
        if (n < 0) {
          break; // what is left has no newline: a torn last line
        }
        filled += n;
        int start = 0;
        for (int end = newline(b, start, filled); end >= 0; end = newline(b, start, filled)) {
          if (!overlong) {
            offer(b, start, end, want, offered, pendingOnly);
          }
          overlong = false;
          start = end + 1;
        }
        System.arraycopy(b, start, b, 0, filled - start);
        filled -= start;
      }
    }
    List<String> keys = new ArrayList<>();
    offered.pendingByKey.forEach(
        (key, pending) -> {
          if (pending || !pendingOnly) {
            keys.add(key);
          }
        });
    Collections.reverse(keys); // lines are appended as entries begin: newest first, roughly
    return keys;
  }

  /**
   * Longer than any line the cache writes (a URL is the only long field); a stretch without a
   * newline beyond it is damage, skipped rather than held in memory.
   */
  private static final int LONGEST_LINE = 16 << 20;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /**
   * The first newline in {@code b[from, to)}, or -1: eight bytes at a time, since most of what
   * {@link #keysToOffer} does is look for line ends. A word's zero bytes (after the xor, its
   * newlines) are found exactly from the lowest up.
   */
  static int newline(byte[] b, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long w = (long) LONGS.get(b, i) ^ NEWLINES;
      long zeros = (w - ONES) & ~w & HIGHS;
      if (zeros != 0) {
        return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /**
   * One line for {@link #keysToOffer}: an entry's line or a gone line whose key matches. Most lines
   * are of finished entries; when only pending keys are wanted, such a line makes no string unless
   * a pending key may share its hash.
   */
  private static void offer(
      byte[] b, int start, int end, byte[] want, Offered offered, boolean pendingOnly) {
    byte kind = b[start];
    if ((kind != 'E' && kind != 'X') || end - start < 12 || b[start + 1] != '\t') {
      return;
    }
    int keyStart = start + 2;
    int keyEnd = keyStart;
    int hash = 0;
    while (keyEnd < end && b[keyEnd] != '\t') {
      hash = 31 * hash + b[keyEnd];
      keyEnd++;
    }
    if (keyEnd - keyStart < want.length) {
      return;
    }
    for (int i = 0; i < want.length; i++) {
      if (b[keyStart + i] != want[i]) {
        return;
      }
    }
    boolean pending = false;
    if (kind == 'E') {
      // The state is the fifth field after the key: dir, size, problems, created, state.
      int at = keyEnd + 1;
      for (int field = 0; field < 4 && at < end; field++) {
        while (at < end && b[at] != '\t') {
          at++;
        }
        at++;
      }
      pending = startsWith(b, at, end, PENDING_FIELD);
    }
    if (pendingOnly && !pending && !offered.mayHold(hash)) {
      return; // a finished key that was never offered as pending
    }
    if (b[end - 9] != '\t') {
      return;
    }
    offered.crc.reset();
    offered.crc.update(b, start, end - 9 - start);
    if (offered.crc.getValue() != hex(b, end - 8, end)) {
      return;
    }
    String key = new String(b, keyStart, keyEnd - keyStart, StandardCharsets.UTF_8);
    if (key.indexOf('\\') >= 0) {
      return; // keys hold no backslash (IdempotencyKey); such a line is not for a shell
    }
    offered.pendingByKey.remove(key); // the latest line wins, and goes last
    if (kind == 'E' && (pending || !pendingOnly)) {
      offered.pendingByKey.put(key, pending);
      offered.mark(hash);
    }
  }

  /** What {@link #keysToOffer} has found so far, and a filter of the hashes of its keys. */
  private static final class Offered {
    final LinkedHashMap<String, Boolean> pendingByKey = new LinkedHashMap<>();
    final CRC32C crc = new CRC32C();
    private final long[] seen = new long[1 << 10]; // 65,536 bits

    void mark(int hash) {
      int bit = hash & 0xffff;
      seen[bit >>> 6] |= 1L << bit;
    }

    boolean mayHold(int hash) {
      int bit = hash & 0xffff;
      return (seen[bit >>> 6] & 1L << bit) != 0;
    }
  }

  private static final byte[] PENDING_FIELD =
      (EntryState.PENDING.label() + "\t").getBytes(StandardCharsets.US_ASCII);

  private static boolean startsWith(byte[] b, int at, int end, byte[] word) {
    if (end - at < word.length) {
      return false;
    }
    for (int i = 0; i < word.length; i++) {
      if (b[at + i] != word[i]) {
        return false;
      }
    }
    return true;
  }

  private record Gone(String key) {}

  private record Orphan(String hash, long size) {}

  private record Verified(String dir, long mtime) {}

  /** What a damaged line parses to. */
  private static final Object DAMAGED = new Object();

  /**
   * Parsing a large cache is split at line ends over the processors; applying the lines stays in
   * order.
   */
  private static final int PART_BYTES = 1 << 20;

  private static List<List<Object>> parseInParts(byte[] b) {
    int parts =
        (int)
            Math.max(
                1,
                Math.min(
                    Runtime.getRuntime().availableProcessors(),
                    Math.min(4, b.length / PART_BYTES)));
    int[] bounds = new int[parts + 1];
    bounds[parts] = b.length;
    for (int p = 1; p < parts; p++) {
      int at = Math.max(bounds[p - 1], (int) ((long) b.length * p / parts));
      while (at < b.length && b[at - 1] != '\n') {
        at++;
      }
      bounds[p] = at;
    }
    List<List<Object>> results = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      results.add(null);
    }
    List<Thread> threads = new ArrayList<>();
    for (int p = 1; p < parts; p++) {
      int part = p;
      Thread t =
          new Thread(
              () -> results.set(part, parseRange(b, bounds[part], bounds[part + 1])),
              "summary-cache-" + p);
      t.start();
      threads.add(t);
    }
    results.set(0, parseRange(b, bounds[0], bounds[1]));
    for (Thread t : threads) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while reading the summary cache", e);
      }
    }
    return results;
  }

  private static List<Object> parseRange(byte[] b, int from, int to) {
    List<Object> parsed = new ArrayList<>((to - from) / 200 + 16);
    int[] tabs = new int[16];
    CRC32C crc = new CRC32C();
    int start = from;
    while (start < to) {
      int end = start;
      while (end < to && b[end] != '\n') {
        end++;
      }
      if (end == to) {
        parsed.add(
            DAMAGED); // a torn tail: parts end after a newline, so only the last part can have one
        break;
      }
      Object line;
      try {
        line = parse(b, start, end, tabs, crc);
      } catch (RuntimeException e) {
        line = DAMAGED;
      }
      parsed.add(line);
      start = end + 1;
    }
    return parsed;
  }

  private static Object parse(byte[] b, int start, int end, int[] tabs, CRC32C crc) {
    int n = 0;
    for (int i = start; i < end && n < tabs.length; i++) {
      if (b[i] == '\t') {
        tabs[n++] = i;
      }
    }
    if (n < 2 || end - tabs[n - 1] - 1 != 8 || tabs[0] != start + 1) {
      return DAMAGED;
    }
    crc.reset();
    crc.update(b, start, tabs[n - 1] - start);
    if (crc.getValue() != hex(b, tabs[n - 1] + 1, end)) {
      return DAMAGED;
    }
    Fields f = new Fields(b, start, tabs);
    switch (b[start]) {
      case 'E' -> {
        if (n != 13) {
          return DAMAGED;
        }
        EntrySummary summary =
            new EntrySummary(
                f.text(1),
                f.instant(5),
                f.state(6),
                (int) f.number(7),
                (int) f.number(8),
                f.known(9, "POST"),
                f.text(10),
                f.none(11) ? null : f.instant(11),
                f.none(12) ? null : f.known(12, "post", "replay", "reconcile"));
        return new Line(summary, f.dir(2), f.number(3), (int) f.number(4));
      }
      case 'X' -> {
        return n == 2 ? new Gone(f.text(1)) : DAMAGED;
      }
      case 'B' -> {
        return n == 3 ? new Orphan(f.text(1), f.number(2)) : DAMAGED;
      }
      case 'D' -> {
        return n == 3 ? new Verified(f.dir(1), f.number(2)) : DAMAGED;
      }
      default -> {
        return DAMAGED;
      }
    }
  }

  private static long hex(byte[] b, int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      int c = b[i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0) {
        return -1;
      }
      v = v << 4 | d;
    }
    return v;
  }

  private static final String[] DIRS = new String[256];
  private static final EntryState[] STATES = EntryState.values();
  private static final String[] STATE_LABELS =
      Arrays.stream(STATES).map(EntryState::label).toArray(String[]::new);

  static {
    // Not String.format: its first use costs a cold command several milliseconds.
    HexFormat hex = HexFormat.of();
    for (int i = 0; i < 256; i++) {
      DIRS[i] = hex.toHexDigits((byte) i);
    }
  }

  /**
   * The fields of one line, read straight from the file's bytes: loading 100,000 lines is most of
   * what {@code list} costs, so numbers, states and the few recurring words make no strings.
   */
  private record Fields(byte[] b, int start, int[] tabs) {
    int from(int i) {
      return i == 0 ? start : tabs[i - 1] + 1;
    }

    int length(int i) {
      return tabs[i] - from(i);
    }

    String text(int i) {
      int from = from(i);
      int length = length(i);
      for (int k = from; k < from + length; k++) {
        if (b[k] == '\\') {
          return unescape(new String(b, from, length, StandardCharsets.UTF_8));
        }
      }
      return new String(b, from, length, StandardCharsets.UTF_8);
    }

    /** The field as one of these words without making a new string, else as text. */
    String known(int i, String... words) {
      for (String w : words) {
        if (is(i, w)) {
          return w;
        }
      }
      return text(i);
    }

    boolean is(int i, String ascii) {
      int from = from(i);
      if (length(i) != ascii.length()) {
        return false;
      }
      for (int k = 0; k < ascii.length(); k++) {
        if (b[from + k] != ascii.charAt(k)) {
          return false;
        }
      }
      return true;
    }

    /** Whether the field is "-": no value. */
    boolean none(int i) {
      return length(i) == 1 && b[from(i)] == '-';
    }

    long number(int i) {
      int from = from(i);
      int to = tabs[i];
      boolean negative = to > from && b[from] == '-';
      int k = negative ? from + 1 : from;
      if (k == to || to - k > 19) {
        throw new IllegalArgumentException("not a number");
      }
      long v = 0;
      for (; k < to; k++) {
        int d = b[k] - '0';
        if (d < 0 || d > 9) {
          throw new IllegalArgumentException("not a number");
        }
        v = Math.addExact(Math.multiplyExact(v, 10), d);
      }
      return negative ? -v : v;
    }

    String dir(int i) {
      long v = length(i) == 2 ? hex(b, from(i), tabs[i]) : -1;
      if (v < 0) {
        throw new IllegalArgumentException("not a directory name");
      }
      return DIRS[(int) v];
    }

    EntryState state(int i) {
      for (int k = 0; k < STATES.length; k++) {
        if (is(i, STATE_LABELS[k])) {
          return STATES[k];
        }
      }
      throw new IllegalArgumentException("not a state");
    }

    Instant instant(int i) {
      return parseInstant(b, from(i), tabs[i]);
    }
  }

  /**
   * Instant.toString()'s form ({@code 2026-11-22T09:30:00.120Z}) read without the general parser,
   * which is most of the cost of loading 100,000 lines; anything else goes to the general parser.
   */
  static Instant parseInstant(byte[] b, int from, int to) {
    int len = to - from;
    if (len >= 20
        && b[from + 4] == '-'
        && b[from + 7] == '-'
        && b[from + 10] == 'T'
        && b[from + 13] == ':'
        && b[from + 16] == ':'
        && b[to - 1] == 'Z') {
      int year = digits(b, from, 4);
      int month = digits(b, from + 5, 2);
      int day = digits(b, from + 8, 2);
      int hour = digits(b, from + 11, 2);
      int minute = digits(b, from + 14, 2);
      int second = digits(b, from + 17, 2);
      int nanos = 0;
      boolean ok =
          year >= 0
              && month >= 0
              && day >= 0
              && hour >= 0
              && hour < 24
              && minute >= 0
              && minute < 60
              && second >= 0
              && second < 60;
      int p = from + 19;
      if (ok && p < to - 1) {
        int count = to - 1 - (p + 1);
        ok = b[p] == '.' && count >= 1 && count <= 9;
        int fraction = ok ? digits(b, p + 1, count) : -1;
        ok = ok && fraction >= 0;
        if (ok) {
          nanos = fraction;
          for (int i = count; i < 9; i++) {
            nanos *= 10;
          }
        }
      }
      if (ok) {
        try {
          long epochDay = LocalDate.of(year, month, day).toEpochDay();
          return Instant.ofEpochSecond(
              epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
        } catch (DateTimeException e) {
          // Not a real date: let the general parser say so.
        }
      }
    }
    try {
      return Instant.parse(new String(b, from, len, StandardCharsets.US_ASCII));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an instant", e);
    }
  }

  private static int digits(byte[] b, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      int d = b[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  static byte[] entryLine(Line l) {
    EntrySummary s = l.summary();
    return line(
        "E\t"
            + escape(s.key())
            + '\t'
            + l.dir()
            + '\t'
            + l.size()
            + '\t'
            + l.problems()
            + '\t'
            + s.created()
            + '\t'
            + s.state().label()
            + '\t'
            + s.status()
            + '\t'
            + s.attempts()
            + '\t'
            + escape(s.method())
            + '\t'
            + escape(s.url())
            + '\t'
            + (s.finishedAt() == null ? "-" : s.finishedAt().toString())
            + '\t'
            + (s.via() == null ? "-" : escape(s.via())));
  }

  static byte[] goneLine(String key) {
    return line("X\t" + escape(key));
  }

  static byte[] orphanLine(String hash, long size) {
    return line("B\t" + hash + '\t' + size);
  }

  static byte[] dirLine(String dir, long mtime) {
    return line("D\t" + dir + '\t' + mtime);
  }

  private static byte[] line(String body) {
    byte[] head = body.getBytes(StandardCharsets.UTF_8);
    CRC32C crc = new CRC32C();
    crc.update(head);
    byte[] tail = ("\t" + RecordCodec.crcHex(crc) + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  /**
   * A whole cache: entries in journal order, then orphans, then the verified directories last, so
   * that a cache cut short by a crash never vouches for lines it lost.
   */
  static byte[] render(Collection<Line> lines, Map<String, Long> orphans, Map<String, Long> dirs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(lines.size() * 200 + 1024);
    lines.forEach(l -> out.writeBytes(entryLine(l)));
    orphans.forEach((hash, size) -> out.writeBytes(orphanLine(hash, size)));
    dirs.forEach((dir, mtime) -> out.writeBytes(dirLine(dir, mtime)));
    return out.toByteArray();
  }

  /** Appends lines in one write; a crash may lose them, which the next read notices and heals. */
  static void append(Path file, List<byte[]> lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    lines.forEach(all::writeBytes);
    DiskFaults.before(DiskFaults.Step.WRITE, file);
    try (FileChannel c =
        Disk.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND).channel()) {
      ByteBuffer buf = ByteBuffer.wrap(all.toByteArray());
      while (buf.hasRemaining()) {
        c.write(buf);
      }
    }
  }

  /** Replaces the cache with a compact one: written beside it, forced, renamed over it. */
  static void rewrite(Path file, byte[] content) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".new");
    Disk.writeForced(temp, content);
    Disk.replace(temp, file);
    Disk.force(file.toAbsolutePath().getParent());
  }

  private static String escape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
        return s.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r");
      }
    }
    return s;
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char next = s.charAt(++i);
        b.append(
            switch (next) {
              case 't' -> '\t';
              case 'n' -> '\n';
              case 'r' -> '\r';
              default -> next;
            });
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
