package dev.arca.backend.s3;

import dev.arca.registry.testkit.S3ProxyServer;
import java.net.URI;

/** Stores pointed at a test server, with the server's credentials. */
final class S3Fixture {

  private S3Fixture() {}

  static S3BlobStore.Builder builder(URI endpoint, String bucket, S3BlobStore.Transport transport) {
    return builder(endpoint, bucket, transport, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
  }

  static S3BlobStore.Builder builder(URI endpoint, String bucket, S3BlobStore.Transport transport, String accessKey,
      String secretKey) {
    return S3BlobStore.builder().endpoint(endpoint).bucket(bucket).pathStyle(true).transport(transport)
        .credentials(accessKey, secretKey);
  }

  static S3BlobStore store(S3ProxyServer server, String bucket, S3BlobStore.Transport transport) {
    return builder(server.endpoint(), bucket, transport).build();
  }
}
