package dev.arca.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.ChildJvm;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs load one large object at once through one cache directory. */
class SharedCacheTest {

  @TempDir Path dir;

  @Test
  void twoProcessesLoadingAtOnce_bothGetCorrectBytes_andTheCacheHoldsOneCopy() throws Exception {
    byte[] data = new byte[48 << 20];
    new Random(8).nextBytes(data);
    Path cache = dir.resolve("cache");
    try (S3ProxyServer server = S3ProxyServer.onDisk(Files.createDirectories(dir.resolve("s3")))) {
      String bucket = server.createBucket();
      Manifest saved;
      try (Registry writer = Registry.builder().blobStore(S3Fixture.store(server, bucket, S3BlobStore.Transport.AWS))
          .noCache().build()) {
        saved = writer.save("big@1.0.0", data);
      }

      List<Process> children = new ArrayList<>();
      List<BufferedReader> outputs = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        Process child = ChildJvm.start(SharedCacheChild.class, List.of("-Xmx256m"), server.endpoint().toString(),
            bucket, cache.toString());
        children.add(child);
        outputs.add(new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)));
      }
      for (BufferedReader out : outputs) {
        assertThat(out.readLine()).isEqualTo("READY");
      }
      for (Process child : children) {
        Writer in = new java.io.OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
        in.write("GO\n");
        in.flush();
      }
      for (int i = 0; i < 2; i++) {
        assertThat(outputs.get(i).readLine()).as("child " + i + " sha256").isEqualTo(saved.files().get(0).sha256());
        assertThat(children.get(i).waitFor(3, TimeUnit.MINUTES)).isTrue();
        assertThat(children.get(i).exitValue()).isZero();
      }
    }
    try (Stream<Path> files = Files.walk(cache)) {
      List<Path> cached = files.filter(Files::isRegularFile).toList();
      assertThat(cached).as("one copy, no temp files left").hasSize(1);
      assertThat(Files.size(cached.get(0))).isEqualTo(data.length);
    }
  }
}
