package dev.arca.backend.oci;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.OciRegistryServer;
import dev.arca.registry.testkit.RegistryContract;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The Registry contract against Debian's docker-registry (distribution 2.8) started by the test, anonymous and
 * with htpasswd authentication. Races that need conditional writes are skipped: OCI declares none.
 */
class OciSuitesTest {

  private static OciRegistryServer anonymous;
  private static OciRegistryServer authenticated;

  @BeforeAll
  static void start() throws Exception {
    anonymous = OciRegistryServer.anonymous();
    authenticated = OciRegistryServer.withHtpasswd();
  }

  @AfterAll
  static void stop() throws Exception {
    if (anonymous != null) {
      anonymous.close();
    }
    if (authenticated != null) {
      authenticated.close();
    }
  }

  /** A fresh repository, read through a fresh local cache. */
  static RegistryContract.TestStorage storage(URI uri) throws IOException {
    Path cache = Files.createTempDirectory("arca-cache-");
    return new RegistryContract.TestStorage() {
      @Override
      public Registry.Builder builder() {
        return Registry.builder().uri(uri).cache(cache, 256 << 20);
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

  static String freshRepository() {
    return "arca/t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @Nested
  class Anonymous extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      return storage(anonymous.uri(freshRepository()));
    }

    @Override
    protected boolean janitorSeesInFlightWrites() {
      return false;
    }
  }

  @Nested
  class Htpasswd extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      return storage(authenticated.uri(freshRepository()));
    }

    @Override
    protected boolean janitorSeesInFlightWrites() {
      return false;
    }
  }
}
