package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.ChildJvm;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file four times larger than the JVM's heap saves and loads, streamed, and verifies. */
class LargeFileTest {

  private static final int HEAP_MB = 32;
  private static final int FILE_MB = 4 * HEAP_MB + 16;

  @TempDir Path dir;

  @Test
  void fileFourTimesTheHeap_savesAndLoadsBitExact() throws Exception {
    Path file = dir.resolve("big.bin");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < FILE_MB; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
        sha.update(chunk);
      }
    }
    String expected = HexFormat.of().formatHex(sha.digest());

    Process child = ChildJvm.start(LargeFileChild.class, List.of("-Xmx" + HEAP_MB + "m"),
        dir.resolve("registry").toUri().toString(), file.toString(), dir.resolve("out").toString());
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(child.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(child.exitValue()).as("child exit code; output: " + output).isZero();

    String[] parts = output.split(" ");
    assertThat(parts[0]).as("sha256 recorded in the manifest").isEqualTo(expected);
    assertThat(Long.parseLong(parts[2])).as("child max heap").isLessThan(FILE_MB / 4L * (1 << 20) + (8 << 20));
    Path loaded = Path.of(parts[1]);
    assertThat(loaded).hasFileName("big.bin");
    assertThat(Files.size(loaded)).isEqualTo((long) FILE_MB << 20);
    MessageDigest loadedSha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(loaded)) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        loadedSha.update(chunk, 0, n);
      }
    }
    assertThat(HexFormat.of().formatHex(loadedSha.digest())).isEqualTo(expected);
  }
}
