package dev.arca.reliability;

import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The crash suite on S3 (AWS SDK transport) against S3Proxy's filesystem store in this JVM. */
class S3CrashTest extends CrashSuite {

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
  URI uri() {
    // 5 MiB parts, so the child's 6 MiB values go up as multipart uploads.
    return URI.create("s3://" + bucket + "/crash?endpoint=" + server.endpoint() + "&pathStyle=true&partSize="
        + S3BlobStore.MIN_PART_SIZE);
  }

  @Override
  Map<String, String> childEnvironment() {
    return Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
        "AWS_REGION", "us-east-1", "ARCA_CACHE", root.resolve("child-cache").toString());
  }

  @Override
  Registry.Builder verifier() {
    S3BlobStore store = S3BlobStore.builder().endpoint(server.endpoint()).bucket(bucket).prefix("crash")
        .pathStyle(true).credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    return Registry.builder().blobStore(store).noCache();
  }

  @Override
  Path storageRoot() {
    return root.resolve("s3");
  }

  @Override
  long strayFiles() throws IOException {
    // Objects are only what the bucket lists; S3Proxy's own temp files would show here.
    try (Stream<Path> files = Files.walk(root.resolve("s3"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("~tmp-")).count();
    }
  }
}
