package dev.edlinkidem.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * {@code summary.tsv}: what listing needs of every entry, so that {@code list} and
 * {@code expiring} read one file instead of one per key. It is derived from the entry files:
 * appended without forcing, the latest line of a key winning, checked against the entry files
 * by {@link Catalog} and rebuilt from them when it is damaged or gone. Lines, tab-separated,
 * each ending with the CRC-32C of what comes before its last tab:
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
      return new Line(EntrySummary.of(entry), Layout.dirOf(Layout.hash(entry.key())), size, problems);
    }

    String key() {
      return summary.key();
    }

    boolean finished() {
      return summary.state() != EntryState.PENDING;
    }
  }

  /** The cache as read: latest line per key in first-appearance order, verified directories, orphans. */
  static final class Snapshot {
    final LinkedHashMap<String, Line> entries = new LinkedHashMap<>();
    final Map<String, Long> dirs = new HashMap<>();
    final Map<String, Long> orphans = new HashMap<>();
    final boolean present;
    int lines;
    int damaged;

    Snapshot(boolean present) {
      this.present = present;
    }
  }

  static Snapshot load(Path file) throws IOException {
    byte[] b;
    try {
      b = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Snapshot(false);
    }
    Snapshot s = new Snapshot(true);
    int[] tabs = new int[16];
    CRC32C crc = new CRC32C();
    int start = 0;
    while (start < b.length) {
      int end = start;
      while (end < b.length && b[end] != '\n') {
        end++;
      }
      if (end == b.length) {
        s.damaged++; // torn tail
        break;
      }
      s.lines++;
      try {
        if (!parse(b, start, end, tabs, crc, s)) {
          s.damaged++;
        }
      } catch (RuntimeException e) {
        s.damaged++;
      }
      start = end + 1;
    }
    return s;
  }

  private static boolean parse(byte[] b, int start, int end, int[] tabs, CRC32C crc, Snapshot s) {
    int n = 0;
    for (int i = start; i < end && n < tabs.length; i++) {
      if (b[i] == '\t') {
        tabs[n++] = i;
      }
    }
    if (n < 2 || end - tabs[n - 1] - 1 != 8 || tabs[0] != start + 1) {
      return false;
    }
    crc.reset();
    crc.update(b, start, tabs[n - 1] - start);
    if (crc.getValue() != Long.parseLong(new String(b, tabs[n - 1] + 1, 8, StandardCharsets.US_ASCII), 16)) {
      return false;
    }
    Fields f = new Fields(b, start, tabs);
    switch (b[start]) {
      case 'E' -> {
        if (n != 13) {
          return false;
        }
        String key = f.text(1);
        EntrySummary summary = new EntrySummary(key, f.instant(5), EntryState.fromLabel(f.text(6)), f.integer(7),
            f.integer(8), f.text(9), f.text(10), f.none(11) ? null : f.instant(11), f.none(12) ? null : f.text(12));
        s.entries.put(key, new Line(summary, f.text(2), Long.parseLong(f.text(3)), f.integer(4)));
      }
      case 'X' -> {
        if (n != 2) {
          return false;
        }
        s.entries.remove(f.text(1));
      }
      case 'B' -> {
        if (n != 3) {
          return false;
        }
        long size = Long.parseLong(f.text(2));
        if (size < 0) {
          s.orphans.remove(f.text(1));
        } else {
          s.orphans.put(f.text(1), size);
        }
      }
      case 'D' -> {
        if (n != 3) {
          return false;
        }
        s.dirs.put(f.text(1), Long.parseLong(f.text(2)));
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** The fields of one line, read straight from the file's bytes. */
  private record Fields(byte[] b, int start, int[] tabs) {
    int from(int i) {
      return i == 0 ? start : tabs[i - 1] + 1;
    }

    String text(int i) {
      String raw = new String(b, from(i), tabs[i] - from(i), StandardCharsets.UTF_8);
      return raw.indexOf('\\') < 0 ? raw : unescape(raw);
    }

    /** Whether the field is "-": no value. */
    boolean none(int i) {
      return tabs[i] - from(i) == 1 && b[from(i)] == '-';
    }

    int integer(int i) {
      return Integer.parseInt(text(i));
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
    if (len >= 20 && b[from + 4] == '-' && b[from + 7] == '-' && b[from + 10] == 'T' && b[from + 13] == ':'
        && b[from + 16] == ':' && b[to - 1] == 'Z') {
      int year = digits(b, from, 4);
      int month = digits(b, from + 5, 2);
      int day = digits(b, from + 8, 2);
      int hour = digits(b, from + 11, 2);
      int minute = digits(b, from + 14, 2);
      int second = digits(b, from + 17, 2);
      int nanos = 0;
      boolean ok = year >= 0 && month >= 0 && day >= 0 && hour >= 0 && hour < 24 && minute >= 0 && minute < 60
          && second >= 0 && second < 60;
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
          return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
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
    return line("E\t" + escape(s.key()) + '\t' + l.dir() + '\t' + l.size() + '\t' + l.problems() + '\t' + s.created()
        + '\t' + s.state().label() + '\t' + s.status() + '\t' + s.attempts() + '\t' + escape(s.method()) + '\t'
        + escape(s.url()) + '\t' + (s.finishedAt() == null ? "-" : s.finishedAt().toString()) + '\t'
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
    byte[] tail = String.format("\t%08x\n", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  /**
   * A whole cache: entries in journal order, then orphans, then the verified directories last,
   * so that a cache cut short by a crash never vouches for lines it lost.
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
    try (FileChannel c = Disk.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND).channel()) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(all.toByteArray());
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
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
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
        b.append(switch (next) {
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
