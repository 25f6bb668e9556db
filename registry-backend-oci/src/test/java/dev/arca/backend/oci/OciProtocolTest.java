package dev.arca.backend.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.JanitorReport;
import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.Version;
import dev.arca.registry.VersionConflictException;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.ManualClock;
import dev.arca.registry.testkit.OciRegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import land.oras.Config;
import land.oras.ContainerRef;
import land.oras.Layer;
import land.oras.Manifest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Commit protocol v2 on an OCI registry (issue 13's tombstones and janitor ages, issue 16 item 14), against
 * Debian's docker-registry: deletes leave tombstones so numbers are never reused, tags never name a deleted
 * version, the janitor ages replaced manifests by the registry's clock, listings page and ignore foreign tags,
 * and a manifest's size does not grow with its overwrites.
 */
class OciProtocolTest {

  private static OciRegistryServer server;

  @BeforeAll
  static void start() throws Exception {
    server = OciRegistryServer.anonymous();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private static String freshRepository() {
    return "proto/t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  private static Registry open(URI uri, UnaryOperator<Registry.Builder> settings) {
    return settings.apply(Registry.builder().uri(uri).noCache()).build();
  }

  private static SaveOptions overwrite() {
    return SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE);
  }

  // ---------------------------------------------------------------- tombstones

  @Test
  void deletingATaggedVersion_removesTheTag_andItsNumberIsNeverReused() throws Exception {
    try (Registry registry = open(server.uri(freshRepository()), b -> b)) {
      registry.save("m", "tested");
      registry.tag("m@1.0.0", "prod");

      registry.delete("m@1.0.0");

      assertThat(registry.tags("m")).isEmpty();
      assertThatThrownBy(() -> registry.get("m#prod")).isInstanceOf(ObjectNotFoundException.class);
      assertThat(registry.versions("m")).isEmpty();
      assertThat(registry.names()).isEmpty();
      assertThat(registry.save("m", "untested").version()).hasToString("1.0.1");
      assertThatThrownBy(() -> registry.save("m@1.0.0", "untested")).isInstanceOf(VersionConflictException.class)
          .hasMessageContaining("was deleted");
      assertThat(registry.tagHistory("m", "prod").get(1).version()).as("the removal is in the history").isNull();
    }
  }

  @Test
  void deletingTheLatest_thenAutoIncrementing_skipsTheDeletedNumber_inAMutableRegistryToo() throws Exception {
    try (Registry registry = open(server.uri(freshRepository()), b -> b.mutable(true))) {
      registry.save("m", "a");
      registry.save("m", "b");
      registry.delete("m@latest");

      assertThat(registry.info("m@latest").version()).hasToString("1.0.0");
      assertThatThrownBy(() -> registry.save("m@1.0.1", "c", overwrite()))
          .isInstanceOf(VersionConflictException.class);
      assertThat(registry.save("m", "c").version()).hasToString("1.0.2");
      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.0", "1.0.2");
    }
  }

  @Test
  void anUnversionedRegistry_savesANameAgainAfterItWasDeleted() throws Exception {
    try (Registry registry = open(server.uri(freshRepository()), b -> b.versioned(false))) {
      registry.save("m", "first");
      registry.delete("m");

      registry.save("m", "second");

      assertThat(registry.get("m")).isEqualTo("second");
      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.0");
      assertThat(registry.names()).containsExactly("m");
    }
  }

  @Test
  void aTagMoveLandingAfterADeleteLookedAtTheTags_undoesItself() throws Exception {
    String repository = freshRepository();
    URI direct = server.uri(repository);
    AtomicBoolean armed = new AtomicBoolean();
    AtomicReference<Boolean> deleted = new AtomicReference<>();
    try (Registry other = open(direct, b -> b);
        HttpProxy proxy = HttpProxy.start(URI.create("http://" + server.host()), request -> {
          // the tagger has read the version's manifest and now reads the tags: the whole delete runs first
          if (request.target().contains("/manifests/m_t") && armed.compareAndSet(true, false)) {
            deleted.set(other.remove("m@1.0.0"));
          }
          return request;
        });
        Registry tagger = open(URI.create("oci://" + proxy.endpoint().getAuthority() + "/" + repository
            + "?allowHttp=true&create=true"), b -> b)) {
      other.save("m@1.0.0", "doomed");
      armed.set(true);

      assertThatThrownBy(() -> tagger.tag("m@1.0.0", "prod")).isInstanceOf(ObjectNotFoundException.class)
          .hasMessageContaining("was deleted");

      assertThat(deleted.get()).isTrue();
      assertThat(tagger.tags("m")).isEmpty();
      assertThat(other.tags("m")).isEmpty();
    }
  }

  // ---------------------------------------------------------------- janitor ages

  @Test
  void janitor_agesReplacedManifestsByTheRegistrysClock_notByClocksThatDisagree() throws Exception {
    Duration grace = Duration.ofSeconds(3);
    URI uri = server.uri(freshRepository());
    ManualClock dayBehind = new ManualClock(Instant.now().minus(Duration.ofDays(1)));
    ManualClock dayAhead = new ManualClock(Instant.now().plus(Duration.ofDays(1)));
    try (Registry writer = open(uri, b -> b.mutable(true).gracePeriod(grace).clock(dayBehind));
        Registry janitor = open(uri, b -> b.mutable(true).gracePeriod(grace).clock(dayAhead))) {
      writer.save("m@1.0.0", "first");
      long overwriteStarted = System.nanoTime();
      writer.save("m@1.0.0", "second", overwrite());

      JanitorReport early = janitor.janitor(true);

      assertThat(early.orphans()).as("replaced just now, whatever the writer's and the janitor's clocks say")
          .isEmpty();
      assertThat(early.kept()).isEqualTo(1);
      JanitorReport dryRun = janitor.janitor(false);
      for (long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
          dryRun.orphans().isEmpty() && System.nanoTime() < deadline; dryRun = janitor.janitor(false)) {
        Thread.sleep(250); // waiting for the registry's clock to pass the grace period, nothing else
      }
      assertThat(Duration.ofNanos(System.nanoTime() - overwriteStarted)).as("reported only after the grace period")
          .isGreaterThanOrEqualTo(grace);
      assertThat(dryRun.orphans()).hasSize(1).allMatch(o -> o.startsWith("m/sha256:"));
      assertThat(dryRun.bytes()).isEqualTo("first".length());
      assertThat(janitor.janitor(true).orphans()).isEqualTo(dryRun.orphans());
      assertThat(janitor.janitor(false).orphans()).isEmpty();
      assertThat(writer.get("m@1.0.0")).isEqualTo("second");
    }
  }

  @Test
  void janitor_keepsADeletedVersionsManifestForTheGracePeriod_thenReclaimsIt() throws Exception {
    Duration grace = Duration.ofSeconds(3);
    try (Registry registry = open(server.uri(freshRepository()), b -> b.gracePeriod(grace))) {
      registry.save("m", "deleted");
      registry.save("m", "kept");
      long deleteStarted = System.nanoTime();
      registry.delete("m@1.0.0");

      assertThat(registry.janitor(true).orphans()).isEmpty();
      JanitorReport dryRun = registry.janitor(false);
      for (long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
          dryRun.orphans().isEmpty() && System.nanoTime() < deadline; dryRun = registry.janitor(false)) {
        Thread.sleep(250); // waiting for the registry's clock to pass the grace period, nothing else
      }
      assertThat(Duration.ofNanos(System.nanoTime() - deleteStarted)).isGreaterThanOrEqualTo(grace);
      assertThat(dryRun.orphans()).hasSize(1);
      assertThat(dryRun.bytes()).isEqualTo("deleted".length());
      registry.janitor(true);
      assertThat(registry.versions("m")).extracting(Version::toString).containsExactly("1.0.1");
      assertThat(registry.save("m", "next").version()).as("the tombstone stays").hasToString("1.0.2");
    }
  }

  // ---------------------------------------------------------------- issue 16 item 14

  @Test
  void listings_readEveryPage_ofARegistryThatPages() throws Exception {
    String repository = freshRepository();
    try (Registry writer = open(server.uri(repository), b -> b)) {
      for (String name : new String[] {"a", "b", "c", "d", "e"}) {
        for (int i = 0; i < 3; i++) {
          writer.save(name, name + i);
        }
      }
      writer.tag("e@1.0.2", "prod");
      writer.delete("a@1.0.2");
    }
    try (PagingRegistry paging = new PagingRegistry(server.host(), 5);
        Registry reader = open(URI.create("oci://" + paging.host() + "/" + repository + "?allowHttp=true"), b -> b)) {
      assertThat(reader.names()).containsExactly("a", "b", "c", "d", "e");
      assertThat(reader.versions("e")).extracting(Version::toString).containsExactly("1.0.0", "1.0.1", "1.0.2");
      assertThat(reader.versions("a")).extracting(Version::toString).containsExactly("1.0.0", "1.0.1");
      assertThat(reader.get("e@latest")).isEqualTo("e2");
      assertThat(reader.get("e#prod")).isEqualTo("e2");
      assertThat(paging.tagQueries()).as("the listing followed the Link header").anyMatch(q -> q.contains("last="));
    }
  }

  @Test
  void foreignTags_areIgnored_byEveryListing() throws Exception {
    String repository = freshRepository();
    try (Registry registry = open(server.uri(repository), b -> b)) {
      registry.save("model", "one");
      pushForeignTags(repository, "build_2024_v1", "release_v2", "latest", "_h" + "a".repeat(32) + "_v1.0.0",
          "x_v1.0", "y_v01.0.0", "z_q_v1.0.0");

      assertThat(registry.names()).containsExactly("model");
      assertThat(registry.versions("release")).isEmpty();
      assertThat(registry.versions("model")).extracting(Version::toString).containsExactly("1.0.0");
      assertThat(registry.listAll()).containsOnlyKeys("model");
      assertThat(registry.janitor(false).orphans()).isEmpty();
    }
  }

  /**
   * Overwrites in the size test: the annotation holds one digest by construction, so a hundred show it does not
   * grow as well as a thousand did (which took four minutes here, about 240 ms an overwrite).
   */
  private static final int OVERWRITES = 100;

  @Test
  void manyOverwrites_keepTheManifestUnderAFixedSize() throws Exception {
    String repository = freshRepository();
    try (Registry registry = open(server.uri(repository), b -> b.mutable(true))) {
      registry.save("m@1.0.0", "v0");
      registry.save("m@1.0.0", "v1", overwrite());
      int afterOne = rawManifest(repository, "m_v1.0.0").length;

      for (int i = 2; i <= OVERWRITES; i++) {
        registry.save("m@1.0.0", "v" + i, overwrite());
      }

      int afterMany = rawManifest(repository, "m_v1.0.0").length;
      assertThat(afterMany).as("manifest bytes after " + OVERWRITES + " overwrites").isLessThan(2048)
          .isLessThanOrEqualTo(afterOne + 16);
      assertThat(registry.get("m@1.0.0")).isEqualTo("v" + OVERWRITES);
    }
  }

  private static byte[] rawManifest(String repository, String tag) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + server.host() + "/v2/" + repository
        + "/manifests/" + tag)).header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build();
    HttpResponse<byte[]> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** Tags another tool pushed into the same repository: a small OCI manifest each. */
  private static void pushForeignTags(String repository, String... tags) {
    land.oras.Registry oras = land.oras.Registry.builder().withRegistry(server.host()).withInsecure(true).build();
    ContainerRef ref = ContainerRef.parse(server.host() + "/" + repository).forRegistry(oras);
    Layer config = oras.pushBlob(ref, "{}".getBytes(StandardCharsets.UTF_8));
    for (String tag : tags) {
      Manifest manifest = Manifest.empty().withConfig(Config.fromBlob("application/vnd.example.build+json", config))
          .withLayers(java.util.List.of());
      oras.pushManifest(ref.withTag(tag), manifest);
    }
  }
}
