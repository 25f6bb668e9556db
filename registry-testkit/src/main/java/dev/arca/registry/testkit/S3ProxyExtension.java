package dev.arca.registry.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts an in-memory {@link S3ProxyServer} before a test class and stops it after:
 * {@code @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();}.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {

  private final boolean authenticated;
  private S3ProxyServer server;

  /** A server checking signatures, as real S3 does. */
  public S3ProxyExtension() {
    this(true);
  }

  /**
   * A server that checks signatures or not (a proxy rewriting signed headers needs one that does not).
   *
   * @param authenticated whether requests must be signed with the test credentials
   */
  public S3ProxyExtension(boolean authenticated) {
    this.authenticated = authenticated;
  }

  /**
   * The running server.
   *
   * @return the server
   */
  public S3ProxyServer server() {
    if (server == null) {
      throw new IllegalStateException("the S3 server starts before the test class; register this extension statically");
    }
    return server;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = authenticated ? S3ProxyServer.inMemory() : S3ProxyServer.inMemoryWithoutAuthentication();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    server.close();
  }
}
