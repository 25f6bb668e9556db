package dev.arca.backend.local;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.RegistryContract;
import java.nio.file.Path;
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
}
