package dev.arca.backend.s3;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 suites against a real MinIO server in a container, whose If-Match is atomic, so the compare-and-swap
 * races run too. Selected automatically where a Docker engine answers; skipped otherwise (CI here has none).
 */
class MinioContainerSuitesTest extends S3Suites {

  private static final String USER = "arca-minio";
  private static final String PASSWORD = "arca-minio-secret";
  static GenericContainer<?> minio;

  @BeforeAll
  static void startMinio() {
    assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker engine answers on this machine");
    minio = new GenericContainer<>("minio/minio:latest")
        .withCommand("server", "/data")
        .withEnv("MINIO_ROOT_USER", USER)
        .withEnv("MINIO_ROOT_PASSWORD", PASSWORD)
        .withExposedPorts(9000)
        .waitingFor(Wait.forHttp("/minio/health/live").forPort(9000).withStartupTimeout(Duration.ofMinutes(2)));
    minio.start();
  }

  @AfterAll
  static void stopMinio() {
    if (minio != null) {
      minio.stop();
    }
  }

  @Override
  Target target() {
    URI endpoint = URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
    return new Target() {
      @Override
      public URI endpoint() {
        return endpoint;
      }

      @Override
      public String accessKey() {
        return USER;
      }

      @Override
      public String secretKey() {
        return PASSWORD;
      }

      @Override
      public String createBucket() {
        String name = "arca-" + UUID.randomUUID().toString().substring(0, 13).toLowerCase(Locale.ROOT);
        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).forcePathStyle(true)
            .region(Region.US_EAST_1).httpClient(ApacheHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(USER, PASSWORD)))
            .build()) {
          s3.createBucket(b -> b.bucket(name));
        }
        return name;
      }

      @Override
      public String casRaceSkipReason() {
        return null;
      }

      @Override
      public String overwriteReadRaceSkipReason() {
        return null;
      }
    };
  }
}
