package dev.arca.backend.s3;

import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.net.URI;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The S3 suites against S3Proxy in this JVM: always run, in CI too. */
class S3ProxySuitesTest extends S3Suites {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  @Override
  Target target() {
    return new Target() {
      @Override
      public URI endpoint() {
        return S3.server().endpoint();
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
        return S3.server().createBucket();
      }

      @Override
      public String casRaceSkipReason() {
        return S3ProxyServer.CAS_RACE_SKIP_REASON;
      }

      @Override
      public String overwriteReadRaceSkipReason() {
        return S3ProxyServer.OVERWRITE_READ_RACE_SKIP_REASON;
      }
    };
  }
}
