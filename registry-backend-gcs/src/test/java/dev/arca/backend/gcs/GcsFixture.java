package dev.arca.backend.gcs;

import com.google.cloud.NoCredentials;
import dev.arca.registry.testkit.GcsServer;

/** Stores on the testkit's GCS server. */
final class GcsFixture {

  private GcsFixture() {}

  static GcsBlobStore.Builder builder(GcsServer server, String bucket) {
    return GcsBlobStore.builder().endpoint(server.endpoint()).bucket(bucket).credentials(NoCredentials.getInstance());
  }
}
