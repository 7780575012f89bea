package dev.edlinkidem.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaFileTest {
  @TempDir Path tmp;

  /** A JDK CA certificate, as PEM: a real certificate that needs no generator. */
  private static String pemOfAJdkCa() throws Exception {
    X509Certificate ca = jdkTrust().getAcceptedIssuers()[0];
    return "-----BEGIN CERTIFICATE-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ca.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }

  private static X509TrustManager jdkTrust() throws Exception {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init((KeyStore) null);
    return (X509TrustManager) f.getTrustManagers()[0];
  }

  @Test
  void readsABundleWithLabelsAndOtherBlocksBetween() throws Exception {
    String pem = pemOfAJdkCa();
    Path bundle = tmp.resolve("bundle.pem");
    Files.writeString(
        bundle,
        "# Corporate root\n"
            + pem
            + "\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\nIssuer: x\n"
            + pem);
    CaFile file = CaFile.read(bundle, "test");
    assertEquals(2, file.size());
    assertTrue(file.context().getProtocol().startsWith("TLS"));
  }

  @Test
  void readsOneDerCertificate() throws Exception {
    Path der = tmp.resolve("ca.der");
    Files.write(der, jdkTrust().getAcceptedIssuers()[0].getEncoded());
    assertEquals(1, CaFile.read(der, "test").size());
  }

  @Test
  void refusesWhatHoldsNoCertificate() throws Exception {
    Path empty = Files.writeString(tmp.resolve("empty.pem"), "");
    Path text = Files.writeString(tmp.resolve("text.pem"), "hello\n");
    Path keyOnly =
        Files.writeString(
            tmp.resolve("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    for (Path p : new Path[] {empty, text, keyOnly, tmp, tmp.resolve("missing.pem")}) {
      NetworkSettingException e =
          assertThrows(NetworkSettingException.class, () -> CaFile.read(p, "flag --cacert"));
      assertTrue(e.getMessage().startsWith("cannot use the CA file " + p + " (flag --cacert): "));
    }
  }

  @Test
  void theJdksCasAndTheFilesAreTrustedTogether() throws Exception {
    Path one = Files.writeString(tmp.resolve("one.pem"), pemOfAJdkCa() + pemOfAJdkCa());
    KeyStore store = CaFile.read(one, "test").trustStore();
    assertEquals(jdkTrust().getAcceptedIssuers().length + 2, store.size());
    assertTrue(store.containsAlias("jdk-0"));
    assertTrue(store.containsAlias("cacert-" + (store.size() - 1)));
  }
}
