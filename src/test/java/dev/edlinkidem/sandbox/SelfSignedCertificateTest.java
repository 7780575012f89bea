package dev.edlinkidem.sandbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class SelfSignedCertificateTest {
  private static final Instant NOW = Instant.parse("2026-11-22T09:30:00.750Z");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

  private final SecureRandom random = new SecureRandom();

  @Test
  void thePemParsesAndIsSignedByItsOwnKey() throws Exception {
    SelfSignedCertificate made = SelfSignedCertificate.generate(NOW, "127.0.0.1", random);

    X509Certificate parsed = parse(made.pem());

    assertArrayEquals(made.certificate().getEncoded(), parsed.getEncoded());
    parsed.verify(parsed.getPublicKey());
    assertEquals("SHA256withECDSA", parsed.getSigAlgName());
    assertEquals("EC", parsed.getPublicKey().getAlgorithm());
    assertEquals(3, parsed.getVersion());
    assertEquals(parsed.getSubjectX500Principal(), parsed.getIssuerX500Principal());
    assertEquals("CN=edlink-idem sandbox", parsed.getSubjectX500Principal().getName());
    assertEquals(1, parsed.getSerialNumber().signum());
  }

  @Test
  void thePemHoldsTheCertificateAloneNeverTheKey() {
    String pem = SelfSignedCertificate.generate(NOW, "127.0.0.1", random).pem();

    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE-----\n"), pem);
    assertTrue(pem.endsWith("\n-----END CERTIFICATE-----\n"), pem);
    assertFalse(pem.contains("PRIVATE"), pem);
    assertTrue(pem.lines().allMatch(line -> line.length() <= 64), pem);
  }

  @Test
  void isValidFromFiveMinutesBeforeTheGivenNowForAYear() throws Exception {
    X509Certificate certificate =
        SelfSignedCertificate.generate(NOW, "127.0.0.1", random).certificate();

    Instant from = Instant.parse("2026-11-22T09:25:00Z");
    assertEquals(from, certificate.getNotBefore().toInstant());
    assertEquals(from.plus(Duration.ofDays(365)), certificate.getNotAfter().toInstant());
    certificate.checkValidity(java.util.Date.from(NOW));
  }

  @Test
  void datesFrom2050AreWrittenAsGeneralizedTime() throws Exception {
    Instant now = Instant.parse("2049-12-01T00:00:00Z");

    X509Certificate certificate =
        parse(SelfSignedCertificate.generate(now, "127.0.0.1", random).pem());

    assertEquals(
        Instant.parse("2050-12-01T00:00:00Z").minus(Duration.ofMinutes(5)),
        certificate.getNotAfter().toInstant());
  }

  @Test
  void namesLocalhostAndBothLoopbackAddresses() throws Exception {
    X509Certificate certificate =
        SelfSignedCertificate.generate(NOW, "127.0.0.1", random).certificate();

    assertEquals(
        List.of(List.of(2, "localhost"), List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1")),
        alternativeNames(certificate));
  }

  @Test
  void namesTheHostItListensOnToo() throws Exception {
    assertEquals(
        List.of(2, "sandbox.test"),
        last(SelfSignedCertificate.generate(NOW, "Sandbox.Test.", random).certificate()));
    assertEquals(
        List.of(7, "10.1.2.3"),
        last(SelfSignedCertificate.generate(NOW, "10.1.2.3", random).certificate()));
    assertEquals(
        List.of(7, "fd00:0:0:0:0:0:0:7"),
        last(SelfSignedCertificate.generate(NOW, "[fd00::7]", random).certificate()));
  }

  @Test
  void leavesOutWildcardsAndNamesItHasAlready() {
    for (String host :
        List.of("0.0.0.0", "::", "[::]", "localhost", "LOCALHOST", "::1", "[::1]", "127.0.0.1")) {
      assertEquals(SelfSignedCertificate.LOOPBACK, SelfSignedCertificate.names(host), host);
    }
  }

  @Test
  void leavesOutWhatIsNeitherAnAddressNorAName() {
    for (String host : List.of("300.1.1.1", "fd00::zz", "*.example.com", "", "a b", "a..b")) {
      assertEquals(SelfSignedCertificate.LOOPBACK, SelfSignedCertificate.names(host), host);
    }
  }

  @Test
  void isForTlsServersOnlyAndCannotSignOthers() throws Exception {
    X509Certificate certificate =
        SelfSignedCertificate.generate(NOW, "127.0.0.1", random).certificate();

    assertEquals(-1, certificate.getBasicConstraints(), "not a CA");
    assertTrue(certificate.getCriticalExtensionOIDs().contains("2.5.29.19"));
    boolean[] keyUsage = certificate.getKeyUsage();
    assertTrue(keyUsage[0], "digitalSignature");
    for (int i = 1; i < keyUsage.length; i++) {
      assertFalse(keyUsage[i], "key usage bit " + i);
    }
    assertEquals(List.of(SERVER_AUTH), certificate.getExtendedKeyUsage());
    assertEquals(0x04, certificate.getExtensionValue("2.5.29.14")[0], "a subject key identifier");
  }

  @Test
  void eachStartMakesANewKeyAndSerialNumber() {
    X509Certificate one = SelfSignedCertificate.generate(NOW, "127.0.0.1", random).certificate();
    X509Certificate two = SelfSignedCertificate.generate(NOW, "127.0.0.1", random).certificate();

    assertNotEquals(one.getPublicKey(), two.getPublicKey());
    assertNotEquals(one.getSerialNumber(), two.getSerialNumber());
  }

  private static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The subject alternative names as [type, value] pairs: 2 for a DNS name, 7 an IP address. */
  private static List<List<?>> alternativeNames(X509Certificate certificate) throws Exception {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    return new ArrayList<>(names);
  }

  private static List<?> last(X509Certificate certificate) throws Exception {
    List<List<?>> names = alternativeNames(certificate);
    assertEquals(4, names.size(), names.toString());
    return names.get(3);
  }
}
