package dev.edlinkidem.net;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Certificate authorities to trust besides the JDK's own ({@code --cacert}, the profile's {@code
 * cacert}, {@code SSL_CERT_FILE}): a file of PEM certificates, as curl and OpenSSL read one. Text
 * around the certificates (a bundle's labels) and other PEM blocks (a key) are skipped; a file with
 * no certificate at all is refused, since trusting it would change nothing the user meant. Names
 * and dates are still checked, always.
 */
public final class CaFile {
  /** A bundle of every public CA is about 200 KiB; anything this large is the wrong file. */
  private static final long MAX_BYTES = 16L << 20;

  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  private final Path path;
  private final String where;
  private List<X509Certificate> certificates;

  private CaFile(Path path, String where) {
    this.path = path;
    this.where = where;
  }

  /**
   * The file at {@code path}, read when first needed ({@link #check}, {@link #size}, {@link
   * #context}): parsing a bundle of every public CA takes about as long as loading the JDK's own
   * trust store, and a client built ahead does it on a thread of its own. {@code where} names its
   * source for a message ("flag --cacert").
   */
  public static CaFile at(Path path, String where) {
    return new CaFile(path, where);
  }

  /**
   * Reads {@code path} now.
   *
   * @throws NetworkSettingException when it cannot be read or holds no certificate
   */
  public static CaFile read(Path path, String where) {
    CaFile file = at(path, where);
    file.check();
    return file;
  }

  /**
   * Reads the file, once.
   *
   * @throws NetworkSettingException when it cannot be read or holds no certificate
   */
  public synchronized void check() {
    if (certificates != null) {
      return;
    }
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) {
        throw refused(path, where, "it is a directory; give a file of PEM certificates");
      }
      if (Files.size(path) > MAX_BYTES) {
        throw refused(path, where, "it is larger than 16 MiB; is it the right file?");
      }
      try (InputStream in = Files.newInputStream(path)) {
        bytes = in.readNBytes((int) MAX_BYTES + 1);
      }
    } catch (NoSuchFileException e) {
      throw refused(path, where, "there is no such file");
    } catch (AccessDeniedException e) {
      throw refused(path, where, "permission denied");
    } catch (IOException e) {
      throw refused(path, where, "it cannot be read (" + e.getMessage() + ")");
    }
    certificates = certificates(bytes, path, where);
  }

  public Path path() {
    return path;
  }

  /** How many certificates the file holds: one at least. */
  public int size() {
    check();
    return certificates.size();
  }

  /**
   * A TLS context that trusts the JDK's CAs and this file's, and checks certificates as the JDK's
   * default does; host names are checked by the HttpClient that uses it.
   *
   * @throws NetworkSettingException when the file cannot be read or holds no certificate
   */
  public SSLContext context() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trustStore());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context with " + path, e);
    }
  }

  /** The JDK's CAs and this file's, in one store. */
  KeyStore trustStore() throws GeneralSecurityException, IOException {
    check();
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    int n = 0;
    for (X509Certificate ca : defaultTrust().getAcceptedIssuers()) {
      trusted.setCertificateEntry("jdk-" + n++, ca);
    }
    for (X509Certificate ca : certificates) {
      trusted.setCertificateEntry("cacert-" + n++, ca);
    }
    return trusted;
  }

  /** The JDK's own trust: its cacerts, or what {@code javax.net.ssl.trustStore} names. */
  private static X509TrustManager defaultTrust() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("the JDK has no X.509 trust manager");
  }

  /** The certificates of a PEM file, or of a file that is one DER certificate. */
  private static List<X509Certificate> certificates(byte[] bytes, Path path, String where) {
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("every JDK reads X.509", e);
    }
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    List<X509Certificate> found = new ArrayList<>();
    int from = text.indexOf(BEGIN);
    if (from < 0) {
      try {
        found.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(bytes)));
        return List.copyOf(found);
      } catch (CertificateException | RuntimeException e) {
        throw refused(
            path,
            where,
            bytes.length == 0
                ? "it is empty"
                : "it holds no certificate (PEM, -----BEGIN CERTIFICATE-----)");
      }
    }
    while (from >= 0) {
      int end = text.indexOf(END, from);
      if (end < 0) {
        throw refused(path, where, "certificate " + (found.size() + 1) + " has no END line");
      }
      String body = text.substring(from + BEGIN.length(), end).replaceAll("\\s+", "");
      try {
        byte[] der = Base64.getDecoder().decode(body);
        found.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
      } catch (IllegalArgumentException | CertificateException e) {
        throw refused(
            path, where, "certificate " + (found.size() + 1) + " in it is not a valid certificate");
      }
      from = text.indexOf(BEGIN, end);
    }
    return List.copyOf(found);
  }

  private static NetworkSettingException refused(Path path, String where, String why) {
    return new NetworkSettingException(
        "cannot use the CA file " + path + " (" + where + "): " + why);
  }
}
