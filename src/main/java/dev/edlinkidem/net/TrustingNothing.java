package dev.edlinkidem.net;

import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A TLS context with no trusted certificates, for a client whose requests all go to plain http://
 * (the sandbox on a loopback port): any handshake through it fails. It is made when first used,
 * which such a client never does: the JDK builds its default TLS context, trust store included,
 * with every client that is given none, and even an unused context's {@code SSLContext.getInstance}
 * and default parameters took a fifth of a cold post to the sandbox.
 */
public final class TrustingNothing extends SSLContext {
  private final FirstUseTls tls;

  public TrustingNothing() {
    this(new FirstUseTls());
  }

  private TrustingNothing(FirstUseTls tls) {
    super(tls, null, "TLS");
    this.tls = tls;
  }

  /** Whether the JDK's TLS context behind it has been made, which only a handshake does. */
  public boolean made() {
    return tls.made();
  }

  /** Hands every call to a context that trusts nothing, made on the first. */
  private static final class FirstUseTls extends SSLContextSpi {
    private SSLContext made;

    private synchronized SSLContext context() {
      if (made == null) {
        try {
          made = SSLContext.getInstance("TLS");
          made.init(new KeyManager[0], new TrustManager[0], null);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("every JDK has TLS", e);
        }
      }
      return made;
    }

    synchronized boolean made() {
      return made != null;
    }

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
        throws KeyManagementException {
      throw new KeyManagementException("this context trusts nothing, and is not to be set up");
    }

    /**
     * What HttpClient asks of every context when it is built: empty parameters stand for the
     * defaults, which a handshake takes from the context it makes.
     */
    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return made() ? context().getDefaultSSLParameters() : new SSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return context().getSupportedSSLParameters();
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return context().getSocketFactory();
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return context().getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      return context().createSSLEngine();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      return context().createSSLEngine(host, port);
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return context().getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return context().getClientSessionContext();
    }
  }
}
