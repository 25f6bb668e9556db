package dev.arca.backend.gcs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.arca.registry.BackendException;
import dev.arca.registry.Registry;
import dev.arca.registry.UnsupportedCapabilityException;
import dev.arca.registry.testkit.GcsServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when a GCS registry cannot be used, and the refusals that keep it safe. */
class GcsErrorsTest {

  private static GcsServer server;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = GcsServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Test
  void missingBucket_isNamed() {
    BackendException e = catchThrowableOfType(BackendException.class,
        () -> GcsFixture.builder(server, "no-such-bucket").build());

    assertThat(e).hasMessageContaining("bucket 'no-such-bucket' does not exist").hasMessageContaining("create it");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void refusedCredentials_sayAccessDenied_withoutTheToken() throws Exception {
    try (GcsServer guarded = GcsServer.builder().requireToken("the-right-token").start()) {
      GoogleCredentials wrong = new GoogleCredentials() { // refreshes to the same wrong token, as a revoked key would
        @Override
        public AccessToken refreshAccessToken() {
          return new AccessToken("a-wrong-secret-token", new Date(System.currentTimeMillis() + 3_600_000));
        }
      };
      String bucket = guarded.createBucket();

      BackendException e = catchThrowableOfType(BackendException.class,
          () -> GcsFixture.builder(guarded, bucket).credentials(wrong).build());

      assertThat(e).hasMessageContaining("access denied").hasMessageContaining("HTTP 401")
          .hasMessageContaining("credentials").hasMessageNotContaining("a-wrong-secret-token");
      assertThat(e.retryable()).isFalse();
    }
  }

  @Test
  void unreadableCredentialsFile_isNamed() throws Exception {
    Path key = Files.writeString(dir.resolve("key.json"), "{\"type\": \"service_account\"}");

    assertThatThrownBy(() -> Registry.open(URI.create("gs://b?endpoint=" + server.endpoint() + "&credentials=" + key)))
        .isInstanceOf(BackendException.class).hasMessageContaining("cannot load credentials")
        .hasMessageContaining(key.toString());
  }

  @Test
  void deadEndpoint_failsWithinTheConfiguredTimeout() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    URI dead = URI.create("gs://bucket?endpoint=http://127.0.0.1:" + port
        + "&credentials=none&connectTimeout=2&requestTimeout=5&maxAttempts=2");

    BackendException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> catchThrowableOfType(BackendException.class, () -> Registry.open(dead)));

    assertThat(e).hasMessageContaining("cannot reach").hasMessageContaining("127.0.0.1:" + port);
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void serverIgnoringIfGenerationMatchZero_isRefusedByTheProbe() throws Exception {
    try (GcsServer broken = GcsServer.builder().ignoringPreconditions().start()) {
      GcsBlobStore store = GcsFixture.builder(broken, broken.createBucket()).build();

      Registry registry = Registry.builder().blobStore(store).noCache().build(); // opening writes nothing
      assertThatThrownBy(() -> registry.put("m", 1))
          .isInstanceOf(UnsupportedCapabilityException.class).hasMessageContaining("ignores conditional writes");
    }
  }

  @Test
  void gsUri_opensThroughTheServiceLoader_andRoundTrips() {
    String bucket = server.createBucket();
    URI uri = URI.create("gs://" + bucket + "/team/a?endpoint=" + server.endpoint() + "&credentials=none");

    try (Registry registry = Registry.builder().uri(uri).noCache().build()) {
      registry.put("greeting", "hello");
      assertThat(registry.get("greeting", String.class)).isEqualTo("hello");
    }
  }

  @Test
  void plainHttpToAnotherHost_credentialsInTheUri_andUnknownOptions_areRefused() {
    assertThatThrownBy(() -> GcsBlobStore.builder().bucket("b").endpoint(URI.create("http://gcs.example.com")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unencrypted");
    assertThatThrownBy(() -> Registry.open(URI.create("gs://user:secret@bucket/p")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never put them in a URI")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> GcsBackendProvider.configure(URI.create("gs://bucket/p?chunk=1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'chunk'");
  }
}
