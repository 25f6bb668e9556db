package dev.arca.reliability;

import com.google.cloud.NoCredentials;
import dev.arca.backend.gcs.GcsBlobStore;
import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.Registry;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.testkit.BlobStoreContract;
import dev.arca.registry.testkit.GcsServer;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.OciRegistryServer;
import dev.arca.registry.testkit.RegistryContract;
import dev.arca.registry.testkit.RgwServer;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * Every remote backend's contract suites through {@link HttpProxy#withFaults}: a share
 * ({@code -Darca.fault.rate}, default 0.05) of all HTTP exchanges gets a reset, a lost response, a 500, a 503, a
 * slow response or a truncated body, never more than two failing ones into one request within a minute (see
 * {@link HttpProxy#withFaults(URI, double, long)}). Every operation still succeeds (the clients' and the stores'
 * retries, four attempts or more, absorb the faults) and no truncated body yields a wrong object (the digest checks
 * catch it). Independent faults without that bound once met one HEAD four times in a row (RADOS Gateway CAS race,
 * CI rehearsal): a failure is then the right answer, and what exhausted retries mean is tested with planned faults.
 */
class FaultSuitesTest {

  static final double RATE = Double.parseDouble(System.getProperty("arca.fault.rate", "0.05"));
  private static S3ProxyServer s3;
  private static GcsServer gcs;
  private static OciRegistryServer oci;
  private static RgwServer rgw;
  private static HttpProxy s3Faults;
  private static HttpProxy rgwFaults;
  private static HttpProxy gcsFaults;
  private static HttpProxy ociFaults;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.inMemory();
    gcs = GcsServer.start();
    oci = OciRegistryServer.anonymous();
    rgw = RgwServer.start();
    s3Faults = HttpProxy.withFaults(s3.endpoint(), RATE, 1);
    rgwFaults = HttpProxy.withFaults(rgw.endpoint(), RATE, 4);
    gcsFaults = HttpProxy.withFaults(gcs.endpoint(), RATE, 2);
    ociFaults = HttpProxy.withFaults(URI.create("http://" + oci.host()), RATE, 3);
  }

  @AfterAll
  static void stop() throws Exception {
    System.out.println("fault figures: s3 " + s3Faults.injected() + " of " + s3Faults.requests().size()
        + " requests; gcs " + gcsFaults.injected() + " of " + gcsFaults.requests().size() + "; oci "
        + ociFaults.injected() + " of " + ociFaults.requests().size() + "; rgw " + rgwFaults.injected() + " of "
        + rgwFaults.requests().size());
    for (AutoCloseable c : new AutoCloseable[] {s3Faults, gcsFaults, ociFaults, rgwFaults, s3, gcs, oci, rgw}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static S3BlobStore s3Store(S3BlobStore.Transport transport, String bucket) {
    return S3BlobStore.builder().endpoint(s3Faults.endpoint()).bucket(bucket).pathStyle(true).transport(transport)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
  }

  /**
   * CI keeps its total under 30 minutes by running only the AWS transport's BlobStore contract under faults on
   * RADOS Gateway, where the server's own conditional semantics meet the faults; the Registry contracts and the
   * MinIO transport's (about 4 minutes) run with {@code -DargLine=-Darca.rgw.allFaultSuites=true}. The Registry
   * contract meets faults on S3Proxy above, and both transports meet RADOS Gateway's races without faults in
   * RgwSuitesTest.
   */
  static final String ALL_RGW_FAULT_SUITES = "arca.rgw.allFaultSuites";

  static void assumeAllRgwFaultSuites() {
    Assumptions.assumeTrue(Boolean.getBoolean(ALL_RGW_FAULT_SUITES), "set " + ALL_RGW_FAULT_SUITES
        + " to run the RADOS Gateway fault suites on the MinIO transport too (about 3 minutes)");
  }

  static S3BlobStore rgwStore(S3BlobStore.Transport transport, String bucket) {
    return S3BlobStore.builder().endpoint(rgwFaults.endpoint()).bucket(bucket).pathStyle(true).transport(transport)
        .credentials(RgwServer.ACCESS_KEY, RgwServer.SECRET_KEY).build();
  }

  static GcsBlobStore gcsStore(String bucket) {
    return GcsBlobStore.builder().endpoint(gcsFaults.endpoint()).bucket(bucket)
        .credentials(NoCredentials.getInstance()).build();
  }

  static RegistryContract.TestStorage storage(java.util.function.Supplier<Registry.Builder> builder) throws IOException {
    Path cache = Files.createTempDirectory("arca-cache-");
    return new RegistryContract.TestStorage() {
      @Override
      public Registry.Builder builder() {
        return builder.get().cache(cache, 256 << 20);
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
  class AwsStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return s3Store(S3BlobStore.Transport.AWS, s3.createBucket());
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }

    @Override
    protected String skipOverwriteReadRaces() {
      return S3ProxyServer.OVERWRITE_READ_RACE_SKIP_REASON; // run on the RADOS Gateway below
    }
  }

  @Nested
  class AwsRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      String bucket = s3.createBucket();
      return storage(() -> Registry.builder().blobStore(s3Store(S3BlobStore.Transport.AWS, bucket)));
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }

  @Nested
  class MinioStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return s3Store(S3BlobStore.Transport.MINIO, s3.createBucket());
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }

    @Override
    protected String skipOverwriteReadRaces() {
      return S3ProxyServer.OVERWRITE_READ_RACE_SKIP_REASON; // run on the RADOS Gateway below
    }
  }

  @Nested
  class MinioRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      String bucket = s3.createBucket();
      return storage(() -> Registry.builder().blobStore(s3Store(S3BlobStore.Transport.MINIO, bucket)));
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }

  /** Ceph's RADOS Gateway: conditional PUTs are atomic there, so the compare-and-swap races run too. */
  @Nested
  class RgwAwsStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return rgwStore(S3BlobStore.Transport.AWS, rgw.createBucket());
    }
  }

  @Nested
  class RgwAwsRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      assumeAllRgwFaultSuites();
      String bucket = rgw.createBucket();
      return storage(() -> Registry.builder().blobStore(rgwStore(S3BlobStore.Transport.AWS, bucket)));
    }
  }

  @Nested
  class RgwMinioStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      assumeAllRgwFaultSuites();
      return rgwStore(S3BlobStore.Transport.MINIO, rgw.createBucket());
    }
  }

  @Nested
  class RgwMinioRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      assumeAllRgwFaultSuites();
      String bucket = rgw.createBucket();
      return storage(() -> Registry.builder().blobStore(rgwStore(S3BlobStore.Transport.MINIO, bucket)));
    }
  }

  @Nested
  class GcsStore extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return gcsStore(gcs.createBucket());
    }
  }

  @Nested
  class GcsRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      String bucket = gcs.createBucket();
      return storage(() -> Registry.builder().blobStore(gcsStore(bucket)));
    }
  }

  @Nested
  class OciRegistry extends RegistryContract {
    @Override
    protected TestStorage newStorage() throws IOException {
      URI uri = URI.create("oci://127.0.0.1:" + ociFaults.endpoint().getPort() + "/faults/r"
          + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "?allowHttp=true&create=true");
      return storage(() -> Registry.builder().uri(uri));
    }

    @Override
    protected boolean janitorSeesInFlightWrites() {
      return false;
    }
  }

}
