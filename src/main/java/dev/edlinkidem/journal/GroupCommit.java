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
import java.util.concurrent.CountDownLatch;

/**
 * Forces the records of concurrent writers together. Writers that arrive while a group is being
 * forced form the next group; its first writer waits for the force under way to end, then forces
 * the whole group, one file after another and each new file's directory once for the group, and
 * wakes the writers of that group. A writer alone forces its own record at once: nobody waits for a
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

  /** Writers who arrived while another group was being forced, and how their forcing ended. */
  private static final class Group {
    final List<Unforced> members = new ArrayList<>();
    final CountDownLatch forced = new CountDownLatch(1);
    Map<Unforced, IOException> outcome = Map.of();
  }

  /** The group that arriving writers join; its first writer leads it. Null when none is forming. */
  private Group forming;

  private boolean forcing;
  private long groups;
  private long records;

  /** Returns once the record and its file's name are on disk; throws what forcing them threw. */
  void force(Unforced written) throws IOException {
    Group group;
    boolean leads;
    synchronized (this) {
      leads = forming == null;
      if (leads) {
        forming = new Group();
      }
      group = forming;
      group.members.add(written);
      if (leads) {
        // Only a group's leader waits here, for the group before to be forced; the others that
        // join meanwhile wait on their group alone, so a finished force wakes one thread, not all.
        boolean interrupted = false;
        while (forcing) {
          try {
            wait();
          } catch (InterruptedException e) {
            interrupted = true; // the group must still be forced: its writers are waiting
          }
        }
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        forcing = true;
        forming = null;
      }
    }
    if (leads) {
      // An interrupt would close every channel of the group as it is forced: the other writers'
      // records must not fail for this thread's interruption, so it waits until they are done.
      boolean interrupted = Thread.interrupted();
      try {
        group.outcome = forceAll(group.members);
      } finally {
        synchronized (this) {
          groups++;
          records += group.members.size();
          forcing = false;
          notifyAll();
        }
        if (group.outcome.isEmpty() && !group.members.isEmpty()) {
          IOException unforced = new IOException("the group's forcing ended early");
          Map<Unforced, IOException> failed = new IdentityHashMap<>();
          group.members.forEach(w -> failed.put(w, unforced));
          group.outcome = failed;
        }
        group.forced.countDown();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    } else {
      awaitUninterruptibly(group.forced);
    }
    IOException failed = group.outcome.get(written);
    if (failed != null) {
      throw failed;
    }
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the record is in a group; its writer must hear how that ended
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writers in the group now forming, for tests. */
  synchronized int waiting() {
    return forming == null ? 0 : forming.members.size();
  }

  /**
   * Groups forced so far, and the records in them: records / groups is how much forcing was shared.
   */
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
