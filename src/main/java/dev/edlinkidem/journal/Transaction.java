package dev.edlinkidem.journal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Changes many files of the journal as one, so that a crash at any point leaves the journal as it
 * was or as the change leaves it, never in between. Everything new is written to {@code txn/} and
 * forced; then a plan of the change, also forced, is renamed to {@code txn/commit}: that rename is
 * the moment the change happens. Then the staged files are renamed into place, the removed ones
 * deleted, and {@code txn/} emptied. Whoever next holds the gate exclusively finishes a committed
 * change (every step can be done twice) or throws away an uncommitted one (nothing outside {@code
 * txn/} was touched). The caller holds the gate exclusively throughout.
 */
final class Transaction {
  /** Where a test may stop a change, as a crash would: "staged", "committed", "half-applied". */
  interface Steps {
    void reached(String step) throws IOException;
  }

  static final Steps NO_STEPS = step -> {};
  static final String COMMIT = "commit";
  private static final String PLAN = "plan";
  private static final String STAGED_CACHE = "summary.tsv";
  private static final String HEADER = "edlink-idem change, format 2";

  /**
   * Staging this many files or more is spread over threads: forcing files is the cost, and disks
   * overlap it.
   */
  private static final int PARALLEL_FROM = 64;

  /**
   * The change was committed but not all applied; the next command that takes the gate finishes it.
   */
  static final class Unfinished extends IOException {
    private static final long serialVersionUID = 1L;

    Unfinished(IOException cause) {
      super(Disk.reason(cause), cause);
    }
  }

  private final Layout layout;
  private final Map<String, byte[]> puts = new LinkedHashMap<>();
  private final Set<String> deletes = new LinkedHashSet<>();
  private final ByteArrayOutputStream unreadable = new ByteArrayOutputStream();
  private byte[] cache;
  private String retireVersion1As;

  Transaction(Layout layout) {
    this.layout = layout;
  }

  /** Writes the file of this hash with this content. */
  void put(String hash, byte[] content) {
    deletes.remove(hash);
    puts.put(hash, content);
  }

  void delete(String hash) {
    puts.remove(hash);
    deletes.add(hash);
  }

  /**
   * Lines that a rewritten or deleted file could not use: they go to unreadable.jsonl, not away.
   */
  void keepAside(List<byte[]> lines) {
    for (byte[] line : lines) {
      unreadable.writeBytes(line);
      unreadable.write('\n');
    }
  }

  void cache(byte[] content) {
    this.cache = content;
  }

  /**
   * Renames version 1's log to this name (in the journal directory) and puts the guard in its
   * place.
   */
  void retireVersion1(String name) {
    this.retireVersion1As = name;
  }

  /** The directories whose files this change creates or removes. */
  Set<String> touchedDirectories() {
    Set<String> dirs = new TreeSet<>();
    puts.keySet().forEach(h -> dirs.add(Layout.dirOf(h)));
    deletes.forEach(h -> dirs.add(Layout.dirOf(h)));
    return dirs;
  }

  void commit(Steps steps) throws IOException {
    if (unreadable.size() > 0) {
      // Kept aside before anything changes: a change then abandoned leaves them there twice, never
      // lost.
      Disk.appendForced(layout.unreadable(), unreadable.toByteArray());
    }
    Path txn = layout.txn();
    List<String> plan = plan();
    try {
      Disk.makePrivateDirectory(txn);
      stage(txn);
      if (cache != null) {
        Disk.writeForced(txn.resolve(STAGED_CACHE), cache);
      }
      Disk.force(txn);
      steps.reached("staged");
      StringBuilder text = new StringBuilder(HEADER).append('\n');
      plan.forEach(op -> text.append(op).append('\n'));
      text.append("end ").append(plan.size()).append('\n');
      Disk.writeForced(txn.resolve(PLAN), text.toString().getBytes(StandardCharsets.UTF_8));
      Disk.replace(txn.resolve(PLAN), txn.resolve(COMMIT));
      Disk.force(txn);
    } catch (IOException | RuntimeException e) {
      try {
        finish(layout);
      } catch (IOException ignored) {
        // Whoever takes the gate next throws the uncommitted change away.
      }
      throw e;
    }
    steps.reached("committed");
    try {
      apply(layout, plan, steps);
      finish(layout);
    } catch (IOException e) {
      throw new Unfinished(e);
    }
  }

  private List<String> plan() {
    List<String> plan = new ArrayList<>();
    puts.keySet().forEach(h -> plan.add("put " + h));
    deletes.forEach(h -> plan.add("delete " + h));
    if (cache != null) {
      plan.add("cache");
    }
    if (retireVersion1As != null) {
      plan.add("v1 " + retireVersion1As);
    }
    return plan;
  }

  private void stage(Path txn) throws IOException {
    if (puts.size() < PARALLEL_FROM) {
      for (Map.Entry<String, byte[]> put : puts.entrySet()) {
        Disk.writeForced(txn.resolve(put.getKey() + Layout.ENTRY_SUFFIX), put.getValue());
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (Map.Entry<String, byte[]> put : puts.entrySet()) {
        writes.add(
            pool.submit(
                () -> {
                  try {
                    Disk.writeForced(
                        txn.resolve(put.getKey() + Layout.ENTRY_SUFFIX), put.getValue());
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                }));
      }
      for (Future<?> w : writes) {
        w.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while staging a change");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Finishes a committed change left by a crash, or throws away an uncommitted one. Returns whether
   * there was one.
   */
  static boolean recover(Layout layout) throws IOException {
    Path txn = layout.txn();
    if (Disk.nothingAt(txn) || !Disk.isDirectory(txn)) {
      return false;
    }
    Path commit = txn.resolve(COMMIT);
    if (Disk.isFile(commit)) {
      apply(layout, readPlan(commit), NO_STEPS);
    }
    finish(layout);
    return true;
  }

  private static List<String> readPlan(Path commit) throws IOException {
    List<String> lines = new String(Disk.readAll(commit), StandardCharsets.UTF_8).lines().toList();
    int ops = lines.size() - 2;
    if (ops < 0
        || !lines.get(0).equals(HEADER)
        || !lines.get(lines.size() - 1).equals("end " + ops)) {
      throw new IOException(
          "the plan of an interrupted change, "
              + commit
              + ", is damaged; move txn/ aside and"
              + " check the journal by hand");
    }
    return lines.subList(1, lines.size() - 1);
  }

  /** Every step can be taken twice: a crash while applying is finished by applying again. */
  private static void apply(Layout layout, List<String> plan, Steps steps) throws IOException {
    Path txn = layout.txn();
    Set<Path> dirs = new LinkedHashSet<>();
    int done = 0;
    for (String op : plan) {
      int space = op.indexOf(' ');
      String verb = space < 0 ? op : op.substring(0, space);
      String arg = space < 0 ? "" : op.substring(space + 1);
      switch (verb) {
        case "put" -> {
          Path target = layout.entryFile(checkHash(arg));
          Path staged = txn.resolve(arg + Layout.ENTRY_SUFFIX);
          if (Disk.isFile(staged)) {
            Disk.makePrivateDirectory(layout.entries());
            Disk.makePrivateDirectory(target.getParent());
            Disk.replace(staged, target);
          }
          dirs.add(target.getParent());
        }
        case "delete" -> {
          Path target = layout.entryFile(checkHash(arg));
          if (Disk.isDirectory(layout.entries()) && Disk.isDirectory(target.getParent())) {
            Files.deleteIfExists(target);
          }
          dirs.add(target.getParent());
        }
        case "cache" -> {
          Path staged = txn.resolve(STAGED_CACHE);
          if (Disk.isFile(staged)) {
            Disk.replace(staged, layout.cache());
          }
          dirs.add(layout.dir());
        }
        case "v1" -> {
          if (!arg.startsWith(Layout.V1_LOG + ".") || arg.contains("/")) {
            throw new IOException("the plan of a change names an odd file: " + arg);
          }
          Path retired = layout.dir().resolve(arg);
          if (Disk.isFile(layout.v1Log()) && Disk.attributesOf(retired) == null) {
            Files.move(layout.v1Log(), retired);
          }
          if (Disk.isFile(retired)) {
            // It holds bodies too: 0600 like every journal file, whatever mode the old log had.
            Files.setPosixFilePermissions(retired, PosixFilePermissions.fromString("rw-------"));
          }
          keepVersion1Out(layout);
          dirs.add(layout.dir());
        }
        default -> throw new IOException("the plan of a change has an unknown step: " + op);
      }
      if (++done == (plan.size() + 1) / 2) {
        steps.reached("half-applied");
      }
    }
    for (Path d : dirs) {
      if (Disk.isDirectory(d)) {
        Disk.force(d);
      }
    }
  }

  private static String checkHash(String hash) throws IOException {
    if (Layout.hashOfFileName(hash + Layout.ENTRY_SUFFIX) == null) {
      throw new IOException("the plan of a change names an odd file: " + hash);
    }
    return hash;
  }

  /**
   * Empties and removes txn/, the commit marker first: once it is gone, nothing is left to finish.
   */
  private static void finish(Layout layout) throws IOException {
    Path txn = layout.txn();
    if (!Disk.isDirectory(txn)) {
      return;
    }
    if (Files.deleteIfExists(txn.resolve(COMMIT))) {
      Disk.force(txn);
    }
    try (DirectoryStream<Path> left = Files.newDirectoryStream(txn)) {
      for (Path p : left) {
        Files.delete(p);
      }
    }
    Files.delete(txn);
    Disk.force(layout.dir());
  }

  /**
   * Puts a directory named journal.jsonl in version 1's place, so that an older edlink-idem pointed
   * at this journal fails loudly ("Is a directory") instead of starting an empty journal beside
   * this one and sending again what this one knows was sent.
   */
  static void keepVersion1Out(Layout layout) throws IOException {
    Path guard = layout.v1Log();
    if (Files.exists(guard, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (Disk.makePrivateDirectory(guard)) {
      Path readme = guard.resolve("README");
      Disk.writeForced(
          readme,
          ("This journal is in format 2: its records are under entries/ (see edlink-idem's\n"
               + "docs/journal-format.md). This directory stands where format 1 kept its one log"
               + " file,\n"
               + "so that an edlink-idem too old to read format 2 stops with an error here instead"
               + " of\n"
               + "starting a new, empty journal beside this one. Leave it in place.\n")
              .getBytes(StandardCharsets.UTF_8));
      Disk.force(guard);
    }
  }
}
