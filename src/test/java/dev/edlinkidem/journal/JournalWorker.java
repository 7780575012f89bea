package dev.edlinkidem.journal;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A separate process that journals keys while others do the same: run by {@link
 * ConcurrentProcessesTest}.
 */
public final class JournalWorker {
  private JournalWorker() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    try (FileJournal journal = FileJournal.open(dir)) {
      for (int i = 0; i < count; i++) {
        CompactionTest.write(journal, prefix + i, "{\"i\":" + i + "}", Instant.now(), i % 5 != 0);
        if (i % 10 == 0) {
          journal.summaries();
        }
      }
    }
    System.out.println("done");
  }
}
