package dev.edlinkidem.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Forces the records of concurrent writers together. A writer hands over its written record and
 * waits; the first writer to find no force under way forces everything handed over so far, one
 * after another (the file system then commits them in one or a few journal transactions instead of
 * one each) and each new file's directory once for the whole group, then wakes the writers whose
 * records it forced. A writer alone forces its own record at once, as before: nobody waits for a
 * group to fill.
 */
final class GroupCommit {
  /** A record written and not yet forced. */
  interface Unforced {
    /** Forces the record's file (and closes it). */
    void forceFile() throws IOException;

    /** Directories whose names changed with the record (a new file's), to force after the files. */
    List<Path> directories();
  }

  private final List<Unforced> queue = new ArrayList<>();
  /** Records forced (or failed) by a finished group, each with its failure or null. */
  private final Map<Unforced, IOException> settled = new IdentityHashMap<>();
  private boolean forcing;
  private long groups;
  private long records;

  /** Returns once the record and its file's name are on disk; throws what forcing them threw. */
  void force(Unforced written) throws IOException {
    List<Unforced> group;
    synchronized (this) {
      queue.add(written);
      while (true) {
        if (settled.containsKey(written)) {
          IOException failed = settled.remove(written);
          if (failed != null) {
            throw failed;
          }
          return;
        }
        if (!forcing) {
          forcing = true;
          group = new ArrayList<>(queue);
          queue.clear();
          break;
        }
        try {
          wait();
        } catch (InterruptedException e) {
          // The record is in a group already or will be; its writer must know how that ended.
          Thread.currentThread().interrupt();
        }
      }
    }
    Map<Unforced, IOException> outcome = forceAll(group);
    synchronized (this) {
      groups++;
      records += group.size();
      forcing = false;
      settled.putAll(outcome);
      IOException mine = settled.remove(written);
      notifyAll();
      if (mine != null) {
        throw mine;
      }
    }
  }

  /** Writers waiting for a force, for tests. */
  synchronized int waiting() {
    return queue.size();
  }

  /** Groups forced so far, and the records in them: records / groups is how much forcing was shared. */
  synchronized long[] counts() {
    return new long[] {groups, records};
  }

  private static Map<Unforced, IOException> forceAll(List<Unforced> group) {
    Map<Unforced, IOException> outcome = new IdentityHashMap<>();
    Map<Path, List<Unforced>> byDirectory = new HashMap<>();
    for (Unforced w : group) {
      try {
        w.forceFile();
        outcome.put(w, null);
      } catch (IOException e) {
        outcome.put(w, e);
      }
      for (Path d : w.directories()) {
        byDirectory.computeIfAbsent(d, k -> new ArrayList<>()).add(w);
      }
    }
    Set<Path> directories = new LinkedHashSet<>(byDirectory.keySet());
    for (Path d : directories) {
      try {
        Disk.force(d);
      } catch (IOException e) {
        // putIfAbsent replaces the null of a file that was forced: its name is not on disk.
        byDirectory.get(d).forEach(w -> outcome.putIfAbsent(w, e));
      }
    }
    return outcome;
  }
}
