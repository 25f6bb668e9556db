package dev.arca.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.arca.registry.BackendException;
import dev.arca.registry.Registry;
import dev.arca.registry.spi.Endpoints;
import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Misconfiguration gives one clear BackendException, quickly, with no secret in it. */
class S3ErrorsTest {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();



  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void wrongCredentials_areAccessDenied_withoutTheSecretInTheMessage(S3BlobStore.Transport transport) {
    String bucket = S3.server().createBucket();
    S3BlobStore.Builder builder = S3Fixture.builder(S3.server().endpoint(), bucket, transport)
        .credentials(S3ProxyServer.ACCESS_KEY, "not-the-secret-xyz");

    assertThatThrownBy(builder::build).isInstanceOf(BackendException.class)
        .hasMessageContaining("access denied").hasMessageContaining(bucket)
        .hasMessageContaining("AWS_ACCESS_KEY_ID")
        .hasMessageNotContaining("not-the-secret-xyz")
        .satisfies(e -> assertThat(((BackendException) e).retryable()).isFalse());
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void missingBucket_saysSo(S3BlobStore.Transport transport) {
    S3BlobStore.Builder builder = S3Fixture.builder(S3.server().endpoint(), "no-such-bucket-here", transport);

    assertThatThrownBy(builder::build).isInstanceOf(BackendException.class)
        .hasMessageContaining("bucket 'no-such-bucket-here' does not exist");
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void deadEndpoint_failsWithinTheConfiguredTimeouts_asRetryable(S3BlobStore.Transport transport) throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    S3BlobStore.Builder builder = S3Fixture.builder(URI.create("http://127.0.0.1:" + port), "bucket", transport)
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5)).maxAttempts(2);

    BackendException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> (BackendException) org.assertj.core.api.Assertions.catchThrowable(builder::build));

    assertThat(e).isNotNull().hasMessageContaining("cannot reach").hasMessageContaining("127.0.0.1:" + port);
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void plainHttpToAnotherHost_isRefusedUnlessAllowed() {
    assertThatThrownBy(() -> S3BlobStore.builder().bucket("b").endpoint(URI.create("http://s3.example.com")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unencrypted")
        .hasMessageContaining("allowHttp=true");
    Endpoints.requireSecure("S3 endpoint", URI.create("http://s3.example.com"), true);
    Endpoints.requireSecure("S3 endpoint", URI.create("https://s3.example.com"), false);
    Endpoints.requireSecure("S3 endpoint", URI.create("http://127.0.0.1:9000"), false);
    Endpoints.requireSecure("S3 endpoint", URI.create("http://localhost:9000"), false);
    Endpoints.requireSecure("S3 endpoint", URI.create("http://[::1]:9000"), false);
  }

  @Test
  void uri_withCredentialsOrUnknownOptions_isRefused() {
    assertThatThrownBy(() -> Registry.open(URI.create("s3://key:secret@bucket/p")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never put them in a URI")
        .hasMessageNotContaining("secret@");
    assertThatThrownBy(() -> S3BackendProvider.configure(URI.create("s3://bucket/p?regoin=eu")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'regoin'");
  }

  @Test
  void uri_options_configureTheStore() {
    URI uri = URI.create("s3://bucket/team/models?endpoint=" + S3.server().endpoint()
        + "&pathStyle=true&transport=minio&partSize=6291456&parallelism=2&maxAttempts=3&requestTimeout=PT30S");

    S3BlobStore.Builder builder = S3BackendProvider.configure(uri)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);

    assertThatThrownBy(builder::build).isInstanceOf(BackendException.class)
        .hasMessageContaining("bucket 'bucket' does not exist");
  }
}
