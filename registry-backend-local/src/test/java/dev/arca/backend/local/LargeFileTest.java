package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.testkit.ChildJvm;
import dev.arca.registry.testkit.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    String expected = TestFiles.random(file, FILE_MB, 42);

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
    assertThat(TestFiles.sha256(loaded)).isEqualTo(expected);
  }
}
