package dev.arca.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.RoundTripChild;
import dev.arca.registry.testkit.S3ProxyServer;
import dev.arca.registry.testkit.TestFiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 272 MiB file goes up as a multipart upload and comes back, sha256-verified, in a JVM with a 96 MiB heap,
 * through an s3: URI with credentials from the environment.
 */
class S3LargeFileTest {

  private static final int FILE_MB = 272;
  private static final int HEAP_MB = 96;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void fileLargerThanTheHeap_roundTripsThroughMultipart(S3BlobStore.Transport transport) throws Exception {
    try (S3ProxyServer server = S3ProxyServer.onDisk(Files.createDirectories(dir.resolve("s3")))) {
      assertRoundTrip(server.endpoint(), server.createBucket(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY,
          transport, dir);
    }
  }

  /** The round trip against any server, in a child JVM whose heap is smaller than the file. */
  static void assertRoundTrip(URI endpoint, String bucket, String accessKey, String secretKey,
      S3BlobStore.Transport transport, Path dir) throws Exception {
    Path file = dir.resolve("big.bin");
    String expected = TestFiles.random(file, FILE_MB, 5);

    try (HttpProxy wire = HttpProxy.start(endpoint)) {
      String uri = "s3://" + bucket + "/big-test?endpoint=" + wire.endpoint() + "&pathStyle=true&transport="
          + transport.name().toLowerCase(Locale.ROOT);
      RoundTripChild.Result result = RoundTripChild.run(uri, file, dir.resolve("out"), HEAP_MB,
          Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey,
              "AWS_REGION", "us-east-1", "ARCA_CACHE", dir.resolve("cache").toString()));

      assertThat(result.sha256()).as("sha256 in the manifest").isEqualTo(expected);
      assertThat(result.maxHeap()).as("child heap").isLessThan((long) FILE_MB << 20);
      assertThat(wire.requests()).as("multipart upload on the wire")
          .anyMatch(r -> r.method().equals("POST") && r.target().contains("uploads"))
          .anyMatch(r -> r.method().equals("PUT") && r.target().contains("partNumber="));
      assertThat(TestFiles.sha256(result.loaded())).isEqualTo(expected);
    }
  }
}
