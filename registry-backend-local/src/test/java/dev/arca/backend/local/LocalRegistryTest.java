package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.RegistryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Registry contract on the local filesystem, found by its file: URI through ServiceLoader. */
class LocalRegistryTest extends RegistryContract {

  @TempDir Path root;
  private int storages;

  @Override
  protected TestStorage newStorage() {
    Path location = root.resolve("registry-" + storages++);
    return () -> Registry.builder().uri(location.toUri());
  }

  @Test
  void openingAndReadingAWritableRegistryWhereNoneIs_createsNoDirectory_andTheFirstWriteCreatesIt() {
    Path parent = root.resolve("not-yet");
    Path location = parent.resolve("registry");
    try (Registry registry = Registry.builder().uri(location.toUri()).build()) {
      assertThat(registry.names()).isEmpty();
      assertThat(registry.exists("m")).isFalse();
      assertThat(registry.tags("m")).isEmpty();
      assertThat(parent).as("opened and read, never written").doesNotExist();

      registry.save("m", "v");
    }
    assertThat(location.resolve("arca.json")).isRegularFile();
    try (Registry again = Registry.builder().uri(location.toUri()).build()) {
      assertThat(again.get("m")).isEqualTo("v");
    }
  }
}
