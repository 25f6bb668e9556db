package dev.arca.reliability;

import dev.arca.registry.Registry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The crash suite on the local filesystem backend (fsync on, as shipped). */
class LocalCrashTest extends CrashSuite {

  @TempDir static Path root;

  @Override
  URI uri() {
    return root.resolve("registry").toUri();
  }

  @Override
  Map<String, String> childEnvironment() {
    return Map.of();
  }

  @Override
  Registry.Builder verifier() {
    return Registry.builder().uri(uri());
  }

  @Override
  Path storageRoot() {
    return root.resolve("registry");
  }

  @Override
  long strayFiles() throws IOException {
    try (Stream<Path> files = Files.walk(root.resolve("registry"))) {
      return files.filter(p -> p.getFileName().toString().startsWith("~tmp-")).count();
    }
  }
}
