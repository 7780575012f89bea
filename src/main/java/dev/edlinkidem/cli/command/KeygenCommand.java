package dev.edlinkidem.cli.command;

import dev.edlinkidem.cli.CliException;
import dev.edlinkidem.cli.EdlinkIdem;
import dev.edlinkidem.request.IdempotencyKey;
import dev.edlinkidem.verdict.ExitCode;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code keygen}: print fresh idempotency keys. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description =
        "Print fresh idempotency keys, one a line: 32 base62 characters from SecureRandom, or"
            + " UUIDs.",
    footerHeading = "%nExamples:%n",
    footer = {"  edlink-idem keygen", "  edlink-idem keygen -n 100 --uuid > keys.txt"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:keys printed", "2:bad option"})
public final class KeygenCommand implements Callable<Integer> {
  static final int MAX = 1_000_000;

  @ParentCommand private EdlinkIdem root;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      defaultValue = "1",
      description = "How many keys (default: ${DEFAULT-VALUE}).")
  private int count;

  @Option(names = "--uuid", description = "Random (version 4) UUIDs instead of base62 keys.")
  private boolean uuid;

  @Override
  public Integer call() {
    if (count < 1 || count > MAX) {
      throw CliException.usage("-n must be from 1 to " + MAX + ", not " + count);
    }
    PrintWriter out = root.invocation().out();
    for (int i = 0; i < count; i++) {
      // UUID.randomUUID draws from a SecureRandom of its own.
      out.println(
          uuid ? UUID.randomUUID().toString() : IdempotencyKey.random(root.invocation().random()));
    }
    out.flush();
    return ExitCode.OK;
  }
}
