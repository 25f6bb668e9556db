package dev.arca.backend.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.GcsServer;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.RoundTripChild;
import dev.arca.registry.testkit.TestFiles;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 256 MiB file goes up as a resumable upload and comes back, sha256-verified, in a JVM with a 96 MiB heap,
 * through a gs: URI.
 */
class GcsLargeFileTest {

  private static final int FILE_MB = 256;
  private static final int HEAP_MB = 96;

  @TempDir Path dir;

  @Test
  void fileLargerThanTheHeap_roundTripsThroughAResumableUpload() throws Exception {
    Path file = dir.resolve("big.bin");
    String expected = TestFiles.random(file, FILE_MB, 7);

    try (GcsServer server = GcsServer.start(); HttpProxy wire = HttpProxy.start(server.endpoint())) {
      String uri = "gs://" + server.createBucket() + "/big-test?endpoint=" + wire.endpoint() + "&credentials=none";
      RoundTripChild.Result result = RoundTripChild.run(uri, file, dir.resolve("out"), HEAP_MB,
          Map.of("ARCA_CACHE", dir.resolve("cache").toString()));

      assertThat(result.sha256()).as("sha256 in the manifest").isEqualTo(expected);
      assertThat(result.maxHeap()).as("child heap").isLessThan((long) FILE_MB << 20);
      assertThat(wire.requests()).as("a resumable upload in chunks on the wire")
          .anyMatch(r -> r.method().equals("POST") && r.target().contains("uploadType=resumable"))
          .filteredOn(r -> r.method().equals("PUT") && r.target().contains("upload_id="))
          .hasSizeGreaterThan(FILE_MB / 8);
      assertThat(TestFiles.sha256(result.loaded())).isEqualTo(expected);
    }
  }
}
