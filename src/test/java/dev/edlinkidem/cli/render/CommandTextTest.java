package dev.edlinkidem.cli.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edlinkidem.config.Settings;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTextTest {
  @Test
  void aReplayCarriesTheNetworkFlagsButNeverAProxyPassword() {
    Settings.Flags flags =
        new Settings.Flags(
            null,
            null,
            null,
            "http://alice:s3cret@proxy.corp:3128",
            ".corp,10.0.0.0/8",
            "~/ca.pem");
    assertEquals(
        "edlink-idem --proxy http://alice:xxxxx@proxy.corp:3128 --noproxy .corp,10.0.0.0/8"
            + " --cacert '~/ca.pem' replay KEY --token-file t",
        CommandText.replay(flags, "KEY", List.of("--token-file", "t")));
    assertEquals(
        "edlink-idem --proxy '' reconcile KEY",
        CommandText.reconcile(new Settings.Flags(null, null, null, "", null, null), "KEY"));
  }
}
