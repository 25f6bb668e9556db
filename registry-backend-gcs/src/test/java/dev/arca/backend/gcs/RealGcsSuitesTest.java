package dev.arca.backend.gcs;

import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The GCS suites against real Google Cloud Storage: runs when {@code ARCA_GCS_TEST_BUCKET} names a bucket the
 * Application Default Credentials may write to. Each location is a fresh prefix in it, under {@code arca-test/}
 * (give the bucket a lifecycle rule deleting that prefix after a day). This checks the in-repo server's reading
 * of GCS against the real service.
 */
@EnabledIfEnvironmentVariable(named = "ARCA_GCS_TEST_BUCKET", matches = ".+")
class RealGcsSuitesTest extends GcsSuites {

  @Override
  GcsBlobStore.Builder newLocation() {
    return GcsBlobStore.builder().bucket(System.getenv("ARCA_GCS_TEST_BUCKET"))
        .prefix("arca-test/" + UUID.randomUUID());
  }
}
