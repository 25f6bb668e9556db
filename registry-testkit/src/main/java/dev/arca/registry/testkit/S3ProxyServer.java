package dev.arca.registry.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 server (S3Proxy) in this JVM on 127.0.0.1 and a free port, with AWS v2/v4 authentication. In
 * memory, or on disk for large objects.
 *
 * <p>Known limit (shared/TEST-SERVERS.md): its {@code If-Match} compare-and-swap is correct one request at a
 * time but not atomic under racing writers; create-if-absent is. Under racing overwrites a GET can pair one
 * write's body with another's ETag, and a PUT can answer with the other write's ETag.
 */
public final class S3ProxyServer implements AutoCloseable {

  /** The access key the server accepts. */
  public static final String ACCESS_KEY = "arca-access";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "arca-secret-key";

  /** Why compare-and-swap races cannot run against this server. */
  public static final String CAS_RACE_SKIP_REASON = "S3Proxy's If-Match compare-and-swap is not atomic under"
      + " racing writers (7-90% of race rounds had two winners, shared/TEST-SERVERS.md); real S3 and MinIO are";

  /** Why reads racing overwrites cannot run against this server. */
  public static final String OVERWRITE_READ_RACE_SKIP_REASON = "S3Proxy can answer a GET racing a PUT with one"
      + " write's body and the other's ETag (measured here in December); a real S3 GET returns one object version";

  private final S3Proxy proxy;
  private final BlobStore store;

  private S3ProxyServer(BlobStore store, AuthenticationType authentication) throws Exception {
    this.store = store;
    this.proxy = S3Proxy.builder()
        .blobStore(store)
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(authentication, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.onSpinWait(); // start() returns before Jetty reports STARTED; it takes milliseconds
    }
  }

  /**
   * Starts a server keeping objects in memory.
   *
   * @return the running server
   * @throws Exception when it cannot start
   */
  public static S3ProxyServer inMemory() throws Exception {
    return new S3ProxyServer(new TransientNio2BlobStore(), AuthenticationType.AWS_V2_OR_V4);
  }

  /**
   * Starts an in-memory server that checks no signatures, so a proxy in front of it may rewrite signed headers.
   *
   * @return the running server
   * @throws Exception when it cannot start
   */
  public static S3ProxyServer inMemoryWithoutAuthentication() throws Exception {
    return new S3ProxyServer(new TransientNio2BlobStore(), AuthenticationType.NONE);
  }

  /**
   * Starts a server keeping objects in a directory.
   *
   * @param directory where buckets live
   * @return the running server
   * @throws Exception when it cannot start
   */
  public static S3ProxyServer onDisk(Path directory) throws Exception {
    return new S3ProxyServer(new FilesystemNio2BlobStore(directory.toString()), AuthenticationType.AWS_V2_OR_V4);
  }

  /**
   * The server's endpoint.
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /**
   * Creates a bucket with a fresh random name.
   *
   * @return its name
   */
  public String createBucket() {
    String name = "arca-" + UUID.randomUUID().toString().substring(0, 13).toLowerCase(Locale.ROOT);
    store.createContainer(name);
    return name;
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
    store.close();
  }
}
