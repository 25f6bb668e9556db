package dev.arca.reliability;

import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.RgwServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash suite on S3 (AWS SDK transport) against Ceph's RADOS Gateway: a production S3 server with atomic
 * conditional PUTs. Its objects cannot be aged on disk, so the verifier's janitor reads a store clock moved ahead
 * instead ({@link StoreClockAhead}), which is the same to every age it judges.
 */
class RgwCrashTest extends CrashSuite {

  @TempDir static Path root;
  private static RgwServer rgw;
  private static String bucket;
  private static StoreClockAhead verifierStore;

  @BeforeAll
  static void start() throws Exception {
    rgw = RgwServer.start();
    bucket = rgw.createBucket();
    verifierStore = new StoreClockAhead(S3BlobStore.builder().endpoint(rgw.endpoint()).bucket(bucket)
        .prefix("crash").pathStyle(true).credentials(RgwServer.ACCESS_KEY, RgwServer.SECRET_KEY).build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (rgw != null) {
      System.out.println("rgw figures: resident " + (rgw.residentBytes() >> 20) + " MiB after the crash suite");
      rgw.close();
    }
  }

  /**
   * Fewer kills than the in-JVM servers get ({@code -Darca.crash.rgwKills}, default 4): each takes about 23 s here
   * (a child JVM, a kill window of up to 3 s, every new version verified), and S3CrashTest kills 50 writers on the
   * same client code; these check that the gateway's conditional writes hold under kills too.
   */
  @Override
  int kills() {
    return Integer.getInteger("arca.crash.rgwKills", 4);
  }

  /**
   * A child's first save (the probe, the settings, the first files) takes about 2 s against the gateway on a busy
   * machine, against well under 0.7 s on S3Proxy, so the kill window is longer: kills must land after it too.
   */
  @Override
  int killWindowMillis() {
    return 3000;
  }

  @Override
  URI uri() {
    // 5 MiB parts, so the child's 6 MiB values go up as multipart uploads.
    return URI.create("s3://" + bucket + "/crash?endpoint=" + rgw.endpoint() + "&pathStyle=true&partSize="
        + S3BlobStore.MIN_PART_SIZE);
  }

  @Override
  Map<String, String> childEnvironment() {
    return Map.of("AWS_ACCESS_KEY_ID", RgwServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", RgwServer.SECRET_KEY,
        "AWS_REGION", "us-east-1", "ARCA_CACHE", root.resolve("child-cache").toString());
  }

  @Override
  Registry.Builder verifier() {
    return Registry.builder().blobStore(verifierStore).noCache();
  }

  @Override
  Path storageRoot() {
    throw new UnsupportedOperationException("RADOS Gateway keeps its objects in its OSD; see ageStorage");
  }

  @Override
  void ageStorage(Duration by) {
    verifierStore.advance(by);
  }

  @Override
  long strayFiles() {
    // The gateway holds nothing a listing does not show but killed writers' incomplete multipart uploads, which
    // S3 leaves to the bucket's lifecycle rules (S3BlobStore never lists or aborts other writers' uploads).
    return 0;
  }
}
