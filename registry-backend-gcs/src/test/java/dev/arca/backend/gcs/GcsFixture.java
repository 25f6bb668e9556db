package dev.arca.backend.gcs;

import com.google.cloud.NoCredentials;
import dev.arca.registry.testkit.GcsServer;
import java.net.URI;

/** Stores on the testkit's GCS server. */
final class GcsFixture {

  private GcsFixture() {}

  static GcsBlobStore.Builder builder(GcsServer server, String bucket) {
    return builder(server.endpoint(), bucket);
  }

  /** A store reaching the server at another address, e.g. through a proxy. */
  static GcsBlobStore.Builder builder(URI endpoint, String bucket) {
    return GcsBlobStore.builder().endpoint(endpoint).bucket(bucket).credentials(NoCredentials.getInstance());
  }
}
