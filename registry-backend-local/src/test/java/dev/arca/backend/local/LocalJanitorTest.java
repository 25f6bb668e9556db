package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The janitor and a killed writer's temp file on the local backend: only an applied run removes it. */
class LocalJanitorTest {

  @TempDir Path root;

  @Test
  void aDryRunJanitor_leavesADeadWritersTempFile_andAnAppliedOneRemovesIt() throws Exception {
    Path location = root.resolve("registry");
    try (Registry registry = Registry.builder().uri(location.toUri()).build()) {
      registry.save("model", "weights");
      Path deadWriters = deadWritersTempFileBeside(objectFileOf(location));

      registry.janitor(false);
      registry.names();

      assertThat(deadWriters).as("after a dry run and a listing").exists();

      registry.janitor(true);

      assertThat(deadWriters).as("after an applied run").doesNotExist();
      assertThat(registry.load("model")).isEqualTo("weights");
    }
  }

  /** A stored file of the saved version, in a directory the janitor lists. */
  private static Path objectFileOf(Path location) throws IOException {
    try (Stream<Path> files = Files.walk(location.resolve("objects"))) {
      return files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
  }

  /** A temp file named as a writer whose process has exited would have left it. */
  private static Path deadWritersTempFileBeside(Path file) throws Exception {
    Process exited = new ProcessBuilder("true").start();
    exited.waitFor();
    assertThat(ProcessHandle.of(exited.pid())).as("the writer's process is gone").isEmpty();
    return Files.writeString(file.resolveSibling("~tmp-" + exited.pid() + "-123456789"), "half a write");
  }
}
