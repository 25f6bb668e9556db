package dev.arca.backend.s3;

import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.testkit.BlobStoreContract;
import dev.arca.registry.testkit.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The BlobStore contract on both transports against a real S3 server (S3Proxy), a fresh bucket per test. */
class S3BlobStoreTest {

  static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.inMemory();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Nested
  class Aws extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return S3Fixture.store(server, server.createBucket(), S3BlobStore.Transport.AWS);
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }

  @Nested
  class Minio extends BlobStoreContract {
    @Override
    protected BlobStore newStore() {
      return S3Fixture.store(server, server.createBucket(), S3BlobStore.Transport.MINIO);
    }

    @Override
    protected String skipCompareAndSwapRaces() {
      return S3ProxyServer.CAS_RACE_SKIP_REASON;
    }
  }
}
