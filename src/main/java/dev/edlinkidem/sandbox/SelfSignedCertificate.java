package dev.edlinkidem.sandbox;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.IDN;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The sandbox's TLS identity: a new EC P-256 key pair and a certificate for it, signed by itself,
 * made when the sandbox starts with {@code --tls}. The certificate names {@code localhost}, {@code
 * 127.0.0.1}, {@code ::1} and the host the sandbox listens on, so that a client trusting it (curl's
 * {@code --cacert}) checks host names as it would against Edlink. The private key stays in memory.
 * For tests only: nothing but this sandbox's clients should ever trust it.
 */
public final class SelfSignedCertificate {
  /** Valid from a little before it was made: a client whose clock is behind still accepts it. */
  static final Duration EARLIER = Duration.ofMinutes(5);

  /** Long enough for any sandbox run; a new one is made at each start anyway. */
  static final Duration VALIDITY = Duration.ofDays(365);

  /** The names every certificate has: this machine, by name and by both loopback addresses. */
  static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

  static final String SUBJECT = "edlink-idem sandbox";

  private static final String EC_P256 = "secp256r1";
  private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
  private static final String COMMON_NAME = "2.5.4.3";
  private static final String SUBJECT_KEY_IDENTIFIER = "2.5.29.14";
  private static final String KEY_USAGE = "2.5.29.15";
  private static final String SUBJECT_ALT_NAME = "2.5.29.17";
  private static final String BASIC_CONSTRAINTS = "2.5.29.19";
  private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int SAN_DNS_NAME = 2;
  private static final int SAN_IP_ADDRESS = 7;

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_-]+(\\.[a-z0-9_-]+)*");

  private final KeyPair keys;
  private final X509Certificate certificate;

  private SelfSignedCertificate(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /**
   * A new key pair and its certificate, valid from {@link #EARLIER} before {@code now} for {@link
   * #VALIDITY}, for the loopback names and {@code host} (left out when it is one of them or a
   * wildcard address such as {@code 0.0.0.0}).
   */
  public static SelfSignedCertificate generate(Instant now, String host, SecureRandom random) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(EC_P256), random);
      KeyPair keys = generator.generateKeyPair();
      Instant from = now.truncatedTo(ChronoUnit.SECONDS).minus(EARLIER);
      byte[] toBeSigned =
          Der.sequence(
              Der.explicit(0, Der.integer(BigInteger.TWO)), // version 3
              Der.integer(serialNumber(random)),
              Der.sequence(Der.objectId(ECDSA_WITH_SHA256)),
              name(SUBJECT), // issuer: itself
              Der.sequence(Der.time(from), Der.time(from.plus(VALIDITY))),
              name(SUBJECT),
              keys.getPublic().getEncoded(), // SubjectPublicKeyInfo, already DER
              Der.explicit(3, extensions(keys, names(host))));
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(keys.getPrivate(), random);
      signer.update(toBeSigned);
      byte[] der =
          Der.sequence(
              toBeSigned,
              Der.sequence(Der.objectId(ECDSA_WITH_SHA256)),
              Der.bitString(signer.sign()));
      X509Certificate certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(der));
      return new SelfSignedCertificate(keys, certificate);
    } catch (GeneralSecurityException e) {
      // Every JDK has EC P-256, ECDSA and X.509: missing, the JDK is broken.
      throw new IllegalStateException("cannot make the sandbox's certificate: " + e, e);
    }
  }

  /**
   * The names the certificate is for: the loopback ones, then {@code host} when it is another name
   * or address that a client could use. Host names are lower-cased and in ASCII, as certificates
   * have them.
   */
  static List<String> names(String host) {
    List<String> names = new ArrayList<>(LOOPBACK);
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (looksLikeAddress(bare)) {
      InetAddress address = literal(bare);
      boolean usable =
          address != null
              && !address.isAnyLocalAddress()
              && LOOPBACK.stream().map(SelfSignedCertificate::literal).noneMatch(address::equals);
      if (usable) {
        names.add(address.getHostAddress());
      }
    } else {
      String name = asciiName(bare);
      if (name != null && !names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The certificate, to hand to clients that should trust the sandbox. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** The certificate in PEM, as curl's {@code --cacert} and {@code NODE_EXTRA_CA_CERTS} read it. */
  public String pem() {
    try {
      return "-----BEGIN CERTIFICATE-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
              .encodeToString(certificate.getEncoded())
          + "\n-----END CERTIFICATE-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encode the sandbox's certificate: " + e, e);
    }
  }

  /** A TLS context that presents this certificate and proves it holds the private key. */
  public SSLContext serverContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(new KeyManager[] {new OneKey()}, null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot serve the sandbox's certificate: " + e, e);
    }
  }

  /**
   * Offers the handshake this certificate and its key, whenever it asks for a server's key of their
   * kind (EC). Handed to the JDK directly rather than through a key store, which would encrypt the
   * key with a password only to decrypt it again (a third of a second at start).
   */
  private final class OneKey extends X509ExtendedKeyManager {
    private static final String ALIAS = "sandbox";

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return keys.getPrivate().getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      String alias = chooseServerAlias(keyType, issuers, null);
      return alias == null ? null : new String[] {alias};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? new X509Certificate[] {certificate} : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? keys.getPrivate() : null;
    }

    /** The sandbox asks no client for a certificate. */
    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }
  }

  /** A name with only a common name (CN), as issuer and subject. */
  private static byte[] name(String commonName) {
    return Der.sequence(
        Der.set(Der.sequence(Der.objectId(COMMON_NAME), Der.utf8String(commonName))));
  }

  /** Positive, non-zero and 64 random bits, as RFC 5280 and the CA/Browser Forum ask. */
  private static BigInteger serialNumber(SecureRandom random) {
    return new BigInteger(64, random).add(BigInteger.ONE);
  }

  /**
   * What a server's certificate needs for curl, OpenSSL and the JDK to accept it: the names, not a
   * CA (critical, so that it cannot sign others), a key for signatures (an ECDHE handshake) and for
   * TLS servers only.
   */
  private static byte[] extensions(KeyPair keys, List<String> names)
      throws GeneralSecurityException {
    return Der.sequence(
        extension(SUBJECT_ALT_NAME, false, subjectAltName(names)),
        extension(BASIC_CONSTRAINTS, true, Der.sequence()), // cA false, by being left out
        extension(KEY_USAGE, true, Der.namedBits(DIGITAL_SIGNATURE)),
        extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.objectId(SERVER_AUTH))),
        extension(SUBJECT_KEY_IDENTIFIER, false, Der.octetString(keyIdentifier(keys))));
  }

  private static byte[] extension(String id, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.objectId(id), Der.bool(true), Der.octetString(value))
        : Der.sequence(Der.objectId(id), Der.octetString(value));
  }

  private static byte[] subjectAltName(List<String> names) {
    byte[][] general = new byte[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      InetAddress address = literal(name);
      general[i] =
          address != null
              ? Der.implicit(SAN_IP_ADDRESS, address.getAddress())
              : Der.implicit(SAN_DNS_NAME, name.getBytes(StandardCharsets.US_ASCII));
    }
    return Der.sequence(general);
  }

  /**
   * The first 160 bits of the SHA-256 of the public key (RFC 7093's first method), so that tools
   * that match keys by identifier find it.
   */
  private static byte[] keyIdentifier(KeyPair keys) throws GeneralSecurityException {
    byte[] publicKeyInfo = keys.getPublic().getEncoded();
    // The key itself is the BIT STRING at the end of SubjectPublicKeyInfo: 65 bytes for P-256,
    // uncompressed, after its tag, length and unused-bits byte.
    byte[] key = Arrays.copyOfRange(publicKeyInfo, publicKeyInfo.length - 65, publicKeyInfo.length);
    return Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(key), 20);
  }

  /** IPv4 addresses are four dotted numbers; IPv6 ones are told by their colons. */
  private static boolean looksLikeAddress(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }

  /**
   * The address {@code host} writes out, without an IPv6 zone (a certificate has none), or null
   * when it is not an address; parsed, never looked up.
   */
  private static InetAddress literal(String host) {
    if (!looksLikeAddress(host)
        || (IPV4.matcher(host).matches()
            // The JDK would look a "name" such as 300.1.1.1 up.
            && Arrays.stream(host.split("\\.")).anyMatch(part -> Integer.parseInt(part) > 255))) {
      return null;
    }
    try {
      // In brackets, a bad IPv6 address is refused rather than looked up as a name.
      String literal = host.contains(":") ? "[" + host + "]" : host;
      return InetAddress.getByAddress(InetAddress.getByName(literal).getAddress());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /**
   * A host name as a certificate writes it: ASCII (an international name in its {@code xn--} form),
   * lower case, without a final dot; null when it cannot be a host's name (a wildcard).
   */
  private static String asciiName(String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    try {
      name = IDN.toASCII(name, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    // Underscores too: a container's name may have them, and clients compare them as written.
    return HOST_NAME.matcher(name).matches() ? name : null;
  }
}
