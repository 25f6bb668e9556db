package dev.arca.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.backend.local.LocalBlobStore;
import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.FileEntry;
import dev.arca.registry.IntegrityException;
import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes changed in storage behind Arca's back: a flipped byte in any stored file is an {@link IntegrityException}
 * naming the file; a corrupted or truncated manifest is a clear error, never a parser's stack trace.
 */
class CorruptionTest {

  @TempDir static Path dir;
  private static S3ProxyServer s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3ProxyServer.inMemory();
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  static Stream<Arguments> backends() throws Exception {
    String bucket = s3.createBucket();
    Supplier<BlobStore> s3Store = () -> S3BlobStore.builder().endpoint(s3.endpoint()).bucket(bucket)
        .pathStyle(true).credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    Path local = Files.createDirectories(dir.resolve("local"));
    Supplier<BlobStore> localStore = () -> new LocalBlobStore(local, true);
    return Stream.of(Arguments.of("local", localStore), Arguments.of("s3", s3Store));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void aFlippedByteInAnyStoredFile_isAnIntegrityError_namingTheFile(String backend, Supplier<BlobStore> stores)
      throws Exception {
    Path tree = Files.createDirectories(dir.resolve(backend + "-tree/sub"));
    Files.writeString(tree.resolve("a.txt"), "alpha".repeat(100));
    Files.writeString(tree.getParent().resolve("b.txt"), "beta".repeat(1000));
    try (BlobStore raw = stores.get(); Registry registry = Registry.builder().blobStore(stores.get()).noCache().build()) {
      Manifest m = registry.save("data@1.0.0", tree.getParent());
      for (FileEntry file : m.files()) {
        BlobInfo stored = raw.listAll("objects/", false).blobs().stream()
            .filter(b -> b.key().endsWith("/" + file.path().replace("/", "%2F")) || b.key().endsWith("/" + file.path()))
            .findFirst().orElseThrow(() -> new AssertionError("no stored object for " + file.path()));
        byte[] original = raw.get(stored.key()).orElseThrow().readAllAndClose();
        byte[] flipped = Arrays.copyOf(original, original.length);
        flipped[original.length / 2] ^= 0x01;
        raw.put(stored.key(), flipped, Condition.NONE);

        Path into = dir.resolve(backend + "-load-" + file.sha256());
        assertThatThrownBy(() -> registry.loadInto("data@1.0.0", into)).isInstanceOf(IntegrityException.class)
            .hasMessageContaining(file.path());

        raw.put(stored.key(), original, Condition.NONE);
      }
      assertThat(registry.loadInto("data@1.0.0", dir.resolve(backend + "-restored"))).exists();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("backends")
  void aCorruptedOrTruncatedManifest_isAClearError(String backend, Supplier<BlobStore> stores) throws Exception {
    try (BlobStore raw = stores.get(); Registry registry = Registry.builder().blobStore(stores.get()).noCache().build()) {
      registry.save("doc@1.0.0", "content");
      String key = raw.listAll("meta/", false).blobs().stream().map(BlobInfo::key)
          .filter(k -> k.endsWith("/doc/1.0.0.json")).findFirst().orElseThrow();
      byte[] original = raw.get(key).orElseThrow().readAllAndClose();

      raw.put(key, Arrays.copyOf(original, original.length / 2), Condition.NONE);
      assertThatThrownBy(() -> registry.info("doc@1.0.0")).isInstanceOf(IntegrityException.class)
          .hasMessageContaining("malformed").hasMessageContaining(key).hasMessageNotContaining("com.fasterxml");

      byte[] flipped = original.clone();
      int at = new String(original, java.nio.charset.StandardCharsets.UTF_8).indexOf("\"objectClass\"") + 16;
      flipped[at] ^= 0x02;
      raw.put(key, flipped, Condition.NONE);
      assertThatThrownBy(() -> registry.get("doc@1.0.0")).isInstanceOf(IntegrityException.class)
          .hasMessageNotContaining("com.fasterxml");
    }
  }
}
