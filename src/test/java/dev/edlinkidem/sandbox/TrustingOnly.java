package dev.edlinkidem.sandbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * HTTP clients for tests of {@code sandbox --tls} that trust one certificate and nothing else, read
 * from a PEM file as a real client (curl's {@code --cacert}) reads it.
 */
public final class TrustingOnly {
  private TrustingOnly() {}

  /** A client that trusts only the certificate in the PEM file {@code pem}. */
  public static HttpClient client(Path pem) throws IOException, GeneralSecurityException {
    return client(Files.readString(pem, StandardCharsets.US_ASCII));
  }

  /** A client that trusts only the certificate written in {@code pem}. */
  public static HttpClient client(String pem) throws IOException, GeneralSecurityException {
    Certificate certificate =
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry("sandbox", certificate);
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(context)
        .build();
  }
}
