package dev.arca.backend.local;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.RegistryContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The Registry contract on the local filesystem, found by its file: URI through ServiceLoader. */
class LocalRegistryTest extends RegistryContract {

  @TempDir Path root;

  @Override
  protected TestStorage newStorage() {
    return () -> Registry.builder().uri(root.resolve("registry").toUri());
  }
}
