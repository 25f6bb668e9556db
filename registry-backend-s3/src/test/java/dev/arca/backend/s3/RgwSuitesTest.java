package dev.arca.backend.s3;

import dev.arca.registry.testkit.RgwServer;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The S3 suites against Ceph's RADOS Gateway (a throwaway single-node cluster, {@link RgwServer}), with every race
 * enabled: its {@code If-None-Match} and {@code If-Match} on PUT are atomic, so the compare-and-swap races that
 * S3Proxy cannot run are real tests here, on both transports. Also the request counts on the wire and the file
 * larger than the heap. Runs in CI ({@code .ci/run} installs Ceph); skipped where Ceph is not installed outside CI.
 */
class RgwSuitesTest extends S3Suites {

  static RgwServer rgw;

  @BeforeAll
  static void startRgw() throws Exception {
    rgw = RgwServer.start();
    System.out.println("rgw figures: started in " + rgw.startTime().toMillis() + " ms, resident "
        + (rgw.residentBytes() >> 20) + " MiB");
  }

  @AfterAll
  static void stopRgw() {
    if (rgw != null) {
      System.out.println("rgw figures: resident " + (rgw.residentBytes() >> 20) + " MiB after the suites");
      rgw.close();
    }
  }

  @Override
  Target target() {
    return new Target() {
      @Override
      public URI endpoint() {
        return rgw.endpoint();
      }

      @Override
      public String accessKey() {
        return RgwServer.ACCESS_KEY;
      }

      @Override
      public String secretKey() {
        return RgwServer.SECRET_KEY;
      }

      @Override
      public String createBucket() {
        return rgw.createBucket();
      }

      @Override
      public String casRaceSkipReason() {
        return null;
      }

      @Override
      public String overwriteReadRaceSkipReason() {
        return null;
      }

      /**
       * CI keeps its total under 30 minutes: on the gateway, the MinIO transport runs the BlobStore contract (the
       * server's semantics through that client, every race enabled); its Registry contract, whose code above the
       * store is the AWS transport's, runs with {@code -DargLine=-Darca.rgw.allSuites=true} (about 75 s).
       */
      @Override
      public String minioRegistrySkipReason() {
        return Boolean.getBoolean("arca.rgw.allSuites") ? null
            : "set arca.rgw.allSuites to run the Registry contract on the MinIO transport against RADOS Gateway too";
      }
    };
  }

  @Nested
  class Wire {
    @ParameterizedTest
    @EnumSource(S3BlobStore.Transport.class)
    void savingOneSmallObject_isOnePutPerFilePlusOneConditionalManifestPut_andLoadingIsTwoGets(
        S3BlobStore.Transport transport, @TempDir Path cache) throws Exception {
      S3WireTest.assertMinimumRequests(rgw.endpoint(), rgw.createBucket(), RgwServer.ACCESS_KEY,
          RgwServer.SECRET_KEY, transport, cache);
    }
  }

  @Nested
  class LargeFile {
    @ParameterizedTest
    @EnumSource(S3BlobStore.Transport.class)
    void fileLargerThanTheHeap_roundTripsThroughMultipart(S3BlobStore.Transport transport, @TempDir Path dir)
        throws Exception {
      S3LargeFileTest.assertRoundTrip(rgw.endpoint(), rgw.createBucket(), RgwServer.ACCESS_KEY, RgwServer.SECRET_KEY,
          transport, dir);
    }
  }
}
