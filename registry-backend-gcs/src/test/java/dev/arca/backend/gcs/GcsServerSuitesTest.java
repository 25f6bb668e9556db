package dev.arca.backend.gcs;

import dev.arca.registry.testkit.GcsServer;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The GCS suites against the testkit's GCS JSON API server in this JVM: always run, in CI too. */
class GcsServerSuitesTest extends GcsSuites {

  private static GcsServer server;

  @BeforeAll
  static void start() throws IOException {
    server = GcsServer.start();
  }

  @AfterAll
  static void stop() throws IOException {
    server.close();
  }

  @Override
  GcsBlobStore.Builder newLocation() {
    return GcsFixture.builder(server, server.createBucket());
  }
}
