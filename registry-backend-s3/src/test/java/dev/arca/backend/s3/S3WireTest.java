package dev.arca.backend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.ReadOnlyRegistryException;
import dev.arca.registry.Registry;
import dev.arca.registry.UnsupportedCapabilityException;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.S3ProxyExtension;
import dev.arca.registry.testkit.S3ProxyServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What crosses the wire, counted and tampered with by a proxy between the client and S3Proxy ({@link RgwSuitesTest}
 * counts the same on Ceph's RADOS Gateway).
 */
class S3WireTest {

  @RegisterExtension
  static final S3ProxyExtension S3 = new S3ProxyExtension();

  @RegisterExtension
  static final S3ProxyExtension UNAUTHENTICATED = new S3ProxyExtension(false);

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void savingOneSmallObject_isOnePutPerFilePlusOneConditionalManifestPut_andLoadingIsTwoGets(
      S3BlobStore.Transport transport, @TempDir Path cache) throws Exception {
    assertMinimumRequests(S3.server().endpoint(), S3.server().createBucket(), S3ProxyServer.ACCESS_KEY,
        S3ProxyServer.SECRET_KEY, transport, cache);
  }

  /**
   * Saving one small object in an existing registry is one PUT of the file plus one conditional PUT of the
   * manifest; loading it is two GETs, and through a warm cache one: on any server.
   */
  static void assertMinimumRequests(URI endpoint, String bucket, String accessKey, String secretKey,
      S3BlobStore.Transport transport, Path cache) throws Exception {
    try (HttpProxy proxy = HttpProxy.start(endpoint);
        Registry registry = Registry.builder()
            .blobStore(S3Fixture.builder(proxy.endpoint(), bucket, transport, accessKey, secretKey).build())
            .cache(cache, 1 << 20).build()) {
      registry.save("created", new byte[] {0}); // the first write of a process probes and stores the settings
      proxy.clearRequests();

      registry.save("model@1.0.0", new byte[] {1, 2, 3});
      List<HttpProxy.Request> saves = proxy.requests();
      proxy.clearRequests();
      byte[] loaded = registry.get("model@1.0.0", byte[].class);
      List<HttpProxy.Request> loads = proxy.requests();

      assertThat(saves).extracting(HttpProxy.Request::method).containsExactly("PUT", "PUT");
      assertThat(saves.get(0).target()).contains("/objects/model/").endsWith("/data");
      assertThat(saves.get(0).header("If-None-Match")).isNull();
      assertThat(saves.get(1).target()).endsWith("/meta/model/1.0.0.json");
      assertThat(saves.get(1).header("If-None-Match")).isEqualTo("*");
      assertThat(loads).extracting(HttpProxy.Request::method).containsExactly("GET", "GET");
      assertThat(loads.get(0).target()).endsWith("/meta/model/1.0.0.json");
      assertThat(loads.get(1).target()).endsWith("/data");
      assertThat(loaded).containsExactly(1, 2, 3);

      proxy.clearRequests();
      try (Registry second = Registry.builder()
          .blobStore(S3Fixture.builder(proxy.endpoint(), bucket, transport, accessKey, secretKey).build())
          .cache(cache, 1 << 20).build()) {
        proxy.clearRequests();
        assertThat(second.get("model@1.0.0", byte[].class)).containsExactly(1, 2, 3);
        assertThat(proxy.requests()).as("a load through a warm cache fetches only the manifest")
            .extracting(HttpProxy.Request::method).containsExactly("GET");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void aServerIgnoringIfNoneMatch_isRefusedAtTheFirstWrite_withTheRiskAndTheOptOut(S3BlobStore.Transport transport)
      throws Exception {
    String bucket = UNAUTHENTICATED.server().createBucket();
    try (HttpProxy stripping = HttpProxy.start(UNAUTHENTICATED.server().endpoint(), r -> r.without("If-None-Match"))) {
      S3BlobStore store = S3Fixture.builder(stripping.endpoint(), bucket, transport).build();

      Registry registry = Registry.builder().blobStore(store).noCache().build(); // opening writes nothing
      assertThatThrownBy(() -> registry.put("m", 1))
          .isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining("ignores conditional writes (If-None-Match)")
          .hasMessageContaining("silently lose data")
          .hasMessageContaining("skipConditionalWriteProbe()");
      assertThat(stripping.requests()).as("the probe went through the proxy")
          .anyMatch(r -> r.method().equals("PUT") && r.target().contains("/probe/"));
    }
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void aReadOnlyOpen_itsReads_andItsRefusedWrites_sendOnlyGetsAndHeads(S3BlobStore.Transport transport,
      @TempDir Path cache) throws Exception {
    String bucket = S3.server().createBucket();
    try (Registry writer = Registry.builder().blobStore(S3Fixture.builder(S3.server().endpoint(), bucket, transport)
        .build()).noCache().build()) {
      writer.save("model", new byte[] {1, 2, 3});
      writer.tag("model@1.0.0", "prod");
    }
    try (HttpProxy proxy = HttpProxy.start(S3.server().endpoint());
        Registry reader = Registry.builder().blobStore(S3Fixture.builder(proxy.endpoint(), bucket, transport).build())
            .cache(cache, 1 << 20).readOnly(true).build()) {
      assertThat(reader.get("model#prod", byte[].class)).containsExactly(1, 2, 3);
      assertThat(reader.listAll()).containsOnlyKeys("model");
      assertThat(reader.exists("model@1.0.0")).isTrue();
      assertThat(reader.tags("model")).containsOnlyKeys("prod");
      assertThatThrownBy(() -> reader.save("model", new byte[] {4})).isInstanceOf(ReadOnlyRegistryException.class)
          .hasMessageContaining("s3://" + bucket);
      assertThatThrownBy(() -> reader.delete("model")).isInstanceOf(ReadOnlyRegistryException.class);
      assertThatThrownBy(() -> reader.tag("model", "next")).isInstanceOf(ReadOnlyRegistryException.class);

      assertThat(proxy.requests()).as("no probe, no settings, no write of any kind").isNotEmpty()
          .allSatisfy(r -> assertThat(r.method()).isIn("GET", "HEAD"));
    }
  }

  @ParameterizedTest
  @EnumSource(S3BlobStore.Transport.class)
  void aReadOnlyOpen_whereNoRegistryIs_failsNamingTheLocation_andWritesNothing(S3BlobStore.Transport transport)
      throws Exception {
    String bucket = S3.server().createBucket();
    try (HttpProxy proxy = HttpProxy.start(S3.server().endpoint())) {
      S3BlobStore store = S3Fixture.builder(proxy.endpoint(), bucket, transport).build();

      assertThatThrownBy(() -> Registry.builder().blobStore(store).noCache().readOnly(true).build())
          .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("no registry at")
          .hasMessageContaining("s3://" + bucket);
      assertThat(proxy.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.method()).isIn("GET", "HEAD"));
    }
  }
}
