package dev.arca.backend.s3;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.RegistryContract;
import dev.arca.registry.testkit.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The Registry contract on both transports against a real S3 server (S3Proxy), a fresh bucket per test, the
 * conditional-write probe on.
 */
class S3RegistryTest {

  static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.inMemory();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  private static RegistryContract.TestStorage storage(S3BlobStore.Transport transport) {
    String bucket = server.createBucket();
    return () -> Registry.builder().blobStore(S3Fixture.store(server, bucket, transport));
  }

  @Nested
  class Aws extends RegistryContract {
    @Override
    protected RegistryContract.TestStorage newStorage() {
      return storage(S3BlobStore.Transport.AWS);
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }

  @Nested
  class Minio extends RegistryContract {
    @Override
    protected RegistryContract.TestStorage newStorage() {
      return storage(S3BlobStore.Transport.MINIO);
    }

    @Override
    protected String skipCompareAndSwapRaces(Registry registry) {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }
}
