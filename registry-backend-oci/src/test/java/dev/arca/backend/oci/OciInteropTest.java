package dev.arca.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arca.registry.BackendException;
import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import dev.arca.registry.testkit.OciRegistryServer;
import dev.arca.registry.testkit.RoundTripChild;
import dev.arca.registry.testkit.TestFiles;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arca versions read by an independent OCI client, and what a user sees when the registry cannot be used. */
class OciInteropTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static OciRegistryServer server;
  private static OciRegistryServer guarded;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = OciRegistryServer.anonymous();
    guarded = OciRegistryServer.withHtpasswd();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (guarded != null) {
      guarded.close();
    }
  }

  @Test
  void aSavedVersion_isAnOciArtifact_thatSkopeoInspectsAndCopies() throws Exception {
    OciRegistryServer.requireBinary(Path.of("/usr/bin/skopeo"), "skopeo");
    Path tree = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(dir.resolve("tree/a.txt"), "alpha");
    Files.write(tree.resolve("b.bin"), new byte[] {1, 2, 3});
    Manifest saved;
    try (Registry registry = Registry.builder().uri(server.uri("interop/models")).noCache().build()) {
      saved = registry.save("detector@1.2.0", dir.resolve("tree"));
    }
    String image = "docker://" + server.host() + "/interop/models:detector_v1.2.0";

    JsonNode inspect = JSON.readTree(run("skopeo", "inspect", "--raw", "--tls-verify=false", image));
    Path copied = dir.resolve("copied");
    run("skopeo", "copy", "--src-tls-verify=false", image, "dir:" + copied);

    assertThat(inspect.get("artifactType").asText()).isEqualTo(OciBackend.ARTIFACT_TYPE);
    assertThat(inspect.get("config").get("mediaType").asText()).isEqualTo(OciBackend.MANIFEST_TYPE);
    Map<String, String> titles = new HashMap<>();
    for (JsonNode layer : inspect.get("layers")) {
      titles.put(layer.get("annotations").get(OciBackend.TITLE).asText(), layer.get("digest").asText());
      assertThat(layer.get("mediaType").asText()).isEqualTo(OciBackend.FILE_TYPE);
    }
    Map<String, String> expected = new HashMap<>();
    for (FileEntry f : saved.files()) {
      expected.put(f.path(), "sha256:" + f.sha256());
      Path blob = copied.resolve(f.sha256());
      assertThat(TestFiles.sha256(blob)).as("blob of " + f.path() + " copied by skopeo").isEqualTo(f.sha256());
    }
    assertThat(titles).isEqualTo(expected);
  }

  @Test
  void wrongPassword_isAnAuthenticationError_withoutThePassword() throws Exception {
    URI uri = URI.create("oci://" + guarded.host() + "/repo?allowHttp=true&create=true&authFile="
        + guarded.authFile(OciRegistryServer.USER, "not-the-password"));

    BackendException e = catchThrowableOfType(BackendException.class, () -> Registry.open(uri));

    assertThat(e).hasMessageContaining("authentication failed").hasMessageContaining(guarded.host())
        .hasMessageNotContaining("not-the-password").hasMessageNotContaining("Invalid WWW-Authenticate");
    assertThat(e.retryable()).isFalse();
  }

  @Test
  void unknownRepository_isAnError_unlessCreateIsAsked() {
    URI uri = URI.create("oci://" + server.host() + "/no/such/repo?allowHttp=true");

    assertThatThrownBy(() -> Registry.open(uri)).isInstanceOf(BackendException.class)
        .hasMessageContaining("no/such/repo does not exist").hasMessageContaining("create=true");
  }

  @Test
  void deadRegistry_isUnreachable() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    URI uri = URI.create("oci://127.0.0.1:" + port + "/repo?allowHttp=true");

    BackendException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> catchThrowableOfType(BackendException.class, () -> Registry.open(uri)));

    assertThat(e).hasMessageContaining("cannot reach").hasMessageContaining("127.0.0.1:" + port);
    assertThat(e.retryable()).isTrue();
  }

  @Test
  void badUris_areRefused() {
    assertThatThrownBy(() -> Registry.open(URI.create("oci://user:pw@" + server.host() + "/repo")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("never put them in a URI");
    assertThatThrownBy(() -> Registry.open(URI.create("oci://" + server.host() + "/Upper/Case?allowHttp=true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an OCI repository name");
    assertThatThrownBy(() -> Registry.open(URI.create("oci://" + server.host() + "/repo?insecure=true")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option 'insecure'");
  }

  @Test
  void fileLargerThanTheHeap_roundTrips() throws Exception {
    int fileMb = 256;
    Path file = dir.resolve("big.bin");
    String expected = TestFiles.random(file, fileMb, 11);

    RoundTripChild.Result result = RoundTripChild.run(server.uri("big/file").toString(), file, dir.resolve("out"), 96,
        Map.of("ARCA_CACHE", dir.resolve("cache").toString()));

    assertThat(result.sha256()).as("sha256 in the manifest").isEqualTo(expected);
    assertThat(result.maxHeap()).as("child heap").isLessThan((long) fileMb << 20);
    assertThat(TestFiles.sha256(result.loaded())).isEqualTo(expected);
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }
}
