package dev.arca.backend.gcs;

import dev.arca.registry.Registry;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.testkit.BlobStoreContract;
import dev.arca.registry.testkit.RegistryContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;

/** The BlobStore and Registry contracts against one GCS server; a subclass names it. */
abstract class GcsSuites {

  /**
   * A fresh, empty location: a new bucket, or a new prefix in a shared one.
   *
   * @return a builder for it; build it again for a second store on the same location
   */
  abstract GcsBlobStore.Builder newLocation();

  @Nested
  class Store extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return newLocation().build();
    }
  }

  @Nested
  class Registries extends RegistryContract {
    /** One location, read through a fresh local cache, as users run it. */
    @Override
    protected TestStorage newStorage() throws IOException {
      GcsBlobStore.Builder location = newLocation();
      Path cache = Files.createTempDirectory("arca-cache-");
      return new TestStorage() {
        @Override
        public Registry.Builder builder() {
          return Registry.builder().blobStore(location.build()).cache(cache, 256 << 20);
        }

        @Override
        public void close() throws IOException {
          try (Stream<Path> files = Files.walk(cache)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
        }
      };
    }
  }
}
