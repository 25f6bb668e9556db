package dev.arca.backend.s3;

import dev.arca.registry.Registry;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.testkit.BlobStoreContract;
import dev.arca.registry.testkit.RegistryContract;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;

/**
 * The BlobStore and Registry contracts on both transports against one S3 server; a subclass names the server.
 * Each test gets a fresh bucket.
 */
abstract class S3Suites {

  /** A running S3 server the suites use. */
  interface Target {
    URI endpoint();

    String accessKey();

    String secretKey();

    String createBucket();

    /** Why compare-and-swap races are skipped on this server, or null to run them. */
    String casRaceSkipReason();

    /** Why reads racing overwrites are skipped on this server, or null to run them. */
    String overwriteReadRaceSkipReason();

    /** Why the Registry contract on the MinIO transport is skipped on this server, or null to run it. */
    default String minioRegistrySkipReason() {
      return null;
    }
  }

  abstract Target target();

  private S3BlobStore store(S3BlobStore.Transport transport, String bucket) {
    Target t = target();
    return S3BlobStore.builder().endpoint(t.endpoint()).bucket(bucket).pathStyle(true).transport(transport)
        .credentials(t.accessKey(), t.secretKey()).build();
  }

  /** A fresh bucket, read through a fresh local cache, as users run it. */
  private RegistryContract.TestStorage storage(S3BlobStore.Transport transport) throws IOException {
    String bucket = target().createBucket();
    Path cache = Files.createTempDirectory("arca-cache-");
    return new RegistryContract.TestStorage() {
      @Override
      public Registry.Builder builder() {
        return Registry.builder().blobStore(store(transport, bucket)).cache(cache, 256 << 20);
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

  @Nested
  class AwsBlobStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return store(S3BlobStore.Transport.AWS, target().createBucket());
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return target().casRaceSkipReason();
    }

    @Override
    protected String skipOverwriteReadRaces() {
      return target().overwriteReadRaceSkipReason();
    }
  }

  @Nested
  class MinioBlobStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return store(S3BlobStore.Transport.MINIO, target().createBucket());
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return target().casRaceSkipReason();
    }

    @Override
    protected String skipOverwriteReadRaces() {
      return target().overwriteReadRaceSkipReason();
    }
  }

  @Nested
  class AwsRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      return storage(S3BlobStore.Transport.AWS);
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return target().casRaceSkipReason();
    }
  }

  @Nested
  class MinioRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      String skip = target().minioRegistrySkipReason();
      org.junit.jupiter.api.Assumptions.assumeTrue(skip == null, skip);
      return storage(S3BlobStore.Transport.MINIO);
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return target().casRaceSkipReason();
    }
  }
}
