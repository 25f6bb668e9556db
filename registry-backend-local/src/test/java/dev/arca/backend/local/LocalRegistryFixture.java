package dev.arca.backend.local;

import dev.arca.registry.Registry;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh local registry per test, in {@code dir/registry}, whose files a test may read and edit. */
abstract class LocalRegistryFixture {

  @TempDir Path dir;
  Path root;
  Registry registry;

  @BeforeEach
  void openRegistry() {
    root = dir.resolve("registry");
    registry = Registry.builder().uri(root.toUri()).build();
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }
}
