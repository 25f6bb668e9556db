package dev.arca.backend.s3;

import dev.arca.registry.testkit.S3ProxyServer;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The S3 suites against S3Proxy in this JVM: always run, in CI too. */
class S3ProxySuitesTest extends S3Suites {

  static S3ProxyServer server;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3ProxyServer.inMemory();
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Override
  Target target() {
    return new Target() {
      @Override
      public URI endpoint() {
        return server.endpoint();
      }

      @Override
      public String accessKey() {
        return S3ProxyServer.ACCESS_KEY;
      }

      @Override
      public String secretKey() {
        return S3ProxyServer.SECRET_KEY;
      }

      @Override
      public String createBucket() {
        return server.createBucket();
      }

      @Override
      public String casRaceSkipReason() {
        return S3ProxyServer.CAS_RACE_SKIP_REASON;
      }
    };
  }
}
