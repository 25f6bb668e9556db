package dev.arca.reliability;

import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak on S3 against S3Proxy's filesystem store. Overwrites of one version never race here: S3Proxy's If-Match
 * is not atomic under racing writers (shared/TEST-SERVERS.md); real S3 and MinIO are.
 */
class S3SoakTest extends SoakSuite {

  @TempDir static Path root;
  private static S3ProxyServer server;
  private static String bucket;

  @BeforeAll
  static void start() throws Exception {
    server = S3ProxyServer.onDisk(Files.createDirectories(root.resolve("s3")));
    bucket = server.createBucket();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Override
  Registry.Builder registry(Clock clock, Duration grace) {
    S3BlobStore store = S3BlobStore.builder().endpoint(server.endpoint()).bucket(bucket).pathStyle(true)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    return Registry.builder().blobStore(store).mutable(true).clock(clock).gracePeriod(grace).noCache();
  }

  @Override
  Path storageRoot() {
    return root.resolve("s3");
  }

  @Override
  boolean racingOverwrites() {
    return false;
  }
}
