package dev.arca.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.ChildJvm;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.S3ProxyServer;
import dev.arca.registry.testkit.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    Path file = dir.resolve("big.bin");
    String expected = TestFiles.random(file, FILE_MB, 5);

    try (S3ProxyServer server = S3ProxyServer.onDisk(Files.createDirectories(dir.resolve("s3")));
        HttpProxy wire = HttpProxy.start(server.endpoint())) {
      String bucket = server.createBucket();
      String uri = "s3://" + bucket + "/big-test?endpoint=" + wire.endpoint() + "&pathStyle=true&transport="
          + transport.name().toLowerCase(Locale.ROOT);
      Process child = ChildJvm.start(S3LargeFileChild.class, List.of("-Xmx" + HEAP_MB + "m"),
          Map.of("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
              "AWS_REGION", "us-east-1", "ARCA_CACHE", dir.resolve("cache").toString()),
          uri, file.toString(), dir.resolve("out").toString());
      String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(child.waitFor(10, TimeUnit.MINUTES)).isTrue();
      assertThat(child.exitValue()).as("child exit code; output: " + output).isZero();

      String[] parts = output.split(" ");
      assertThat(parts[0]).as("sha256 in the manifest").isEqualTo(expected);
      assertThat(Long.parseLong(parts[2])).as("child heap").isLessThan((long) FILE_MB << 20);
      assertThat(wire.requests()).as("multipart upload on the wire")
          .anyMatch(r -> r.method().equals("POST") && r.target().contains("uploads"))
          .anyMatch(r -> r.method().equals("PUT") && r.target().contains("partNumber="));
      Path loaded = Path.of(parts[1]);
      assertThat(TestFiles.sha256(loaded)).isEqualTo(expected);
    }
  }
}
