package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.BackendException;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import dev.arca.registry.VerifyLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local cache in front of a remote store: what it saves in requests, and what it verifies. */
class CacheTest {

  @TempDir Path cacheDir;
  private final InMemoryBlobStore remote = InMemoryBlobStore.builder().remote().build();

  private Registry open(VerifyLevel verify) {
    return Registry.builder().blobStore(remote).mutable(true).verify(verify).cache(cacheDir, 1 << 20).build();
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private List<Path> cachedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(cacheDir.resolve("sha256"))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void secondLoad_makesNoRequests_andAnotherRegistryOnTheCacheMakesNoFileGets() {
    byte[] data = random(10_000, 1);
    try (Registry registry = open(VerifyLevel.INTEGRITY)) {
      registry.save("m@1.0.0", data);
      registry.get("m@1.0.0", byte[].class);
      long gets = remote.requests("get");

      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(remote.requests("get") - gets).as("gets for a repeated load").isZero();
    }
    try (Registry other = open(VerifyLevel.INTEGRITY)) {
      long gets = remote.requests("get");
      assertThat(other.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(remote.requests("get") - gets).as("only the manifest is fetched").isEqualTo(1);
    }
  }

  @Test
  void flippedByteInTheCache_underIntegrity_isDetectedAndRefetched() throws IOException {
    byte[] data = random(10_000, 2);
    try (Registry registry = open(VerifyLevel.INTEGRITY)) {
      registry.save("m@1.0.0", data);
      registry.get("m@1.0.0", byte[].class);
      Path cached = cachedFiles().get(0);
      byte[] corrupt = Files.readAllBytes(cached);
      corrupt[5000] ^= 0x40;
      Files.write(cached, corrupt);
      long gets = remote.requests("get");

      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(remote.requests("get") - gets).as("manifest and file fetched again").isEqualTo(2);
      assertThat(Files.readAllBytes(cached)).as("the cache holds the good bytes again").isEqualTo(data);
    }
  }

  @Test
  void flippedByteInTheCache_underNone_isTrusted() throws IOException {
    byte[] data = random(10_000, 3);
    try (Registry registry = open(VerifyLevel.NONE)) {
      registry.save("m@1.0.0", data);
      registry.get("m@1.0.0", byte[].class);
      Path cached = cachedFiles().get(0);
      byte[] corrupt = Files.readAllBytes(cached);
      corrupt[0] ^= 0x01;
      Files.write(cached, corrupt);

      assertThat(registry.get("m@1.0.0", byte[].class)).as("NONE trusts the cache").isEqualTo(corrupt);
    }
  }

  @Test
  void full_seesARemoteOverwrite_thatTheManifestCacheWouldHide() {
    try (Registry reader = open(VerifyLevel.FULL); Registry writer = open(VerifyLevel.INTEGRITY)) {
      writer.save("m@1.0.0", "first");
      assertThat(reader.get("m@1.0.0")).isEqualTo("first");

      writer.save("m@1.0.0", "second", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));

      assertThat(reader.get("m@1.0.0")).isEqualTo("second");
    }
  }

  @Test
  void aManifestReadThatStartedBeforeAnOverwrite_doesNotRefillTheCacheAfterIt() throws Exception {
    List<Object> answers = readAcrossAChange("m@1.0.0", (operation, key) -> key.endsWith("/1.0.0.json"),
        registry -> registry.save("m@1.0.0", "second", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE)));

    assertThat(answers).as("the read begun before the overwrite, then the next load").containsExactly("first",
        "second");
  }

  @Test
  void aVersionListingThatStartedBeforeASave_doesNotRefillTheCacheAfterIt() throws Exception {
    List<Object> answers = readAcrossAChange("m", (operation, key) -> operation.equals("list"),
        registry -> registry.save("m@1.0.1", "second"));

    assertThat(answers).as("the latest version read before the save, then the next load").containsExactly("first",
        "second");
  }

  /**
   * Saves "first" as m@1.0.0, then loads {@code key} on another thread and holds that load between the store's
   * answer to its first {@code held} call and what the load does with it, while this thread makes {@code change}
   * (acknowledged before the load goes on). Returns what the held load answered, then what a load after it does.
   */
  private List<Object> readAcrossAChange(String key, BiPredicate<String, String> held, Consumer<Registry> change)
      throws Exception {
    GatedBlobStore gated = new GatedBlobStore(remote);
    ExecutorService readerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "held-reader"));
    try (Registry registry = Registry.builder().blobStore(gated).mutable(true).cache(cacheDir, 1 << 20).build()) {
      registry.save("m@1.0.0", "first");
      CountDownLatch answered = new CountDownLatch(1);
      CompletableFuture<Void> changeAcknowledged = new CompletableFuture<>();
      AtomicBoolean armed = new AtomicBoolean(true);
      gated.gate((operation, blobKey) -> {
        if (Thread.currentThread().getName().equals("held-reader") && held.test(operation, blobKey)
            && armed.compareAndSet(true, false)) {
          answered.countDown();
          changeAcknowledged.join();
        }
      });
      Future<Object> heldRead = readerThread.submit(() -> registry.get(key));
      assertThat(answered.await(30, TimeUnit.SECONDS)).as("the store answered the held reader").isTrue();

      change.accept(registry);
      changeAcknowledged.complete(null);

      return List.of(heldRead.get(30, TimeUnit.SECONDS), registry.get(key));
    } finally {
      readerThread.shutdownNow();
    }
  }

  @Test
  void full_withTheRemoteDown_isAnError_neverAStaleAnswer() {
    try (Registry registry = open(VerifyLevel.FULL)) {
      registry.save("m@1.0.0", "data");
      assertThat(registry.get("m@1.0.0")).isEqualTo("data");

      remote.setUnreachable(true);

      assertThatThrownBy(() -> registry.get("m@1.0.0")).isInstanceOf(BackendException.class)
          .hasMessageContaining("connection refused");
    } finally {
      remote.setUnreachable(false);
    }
  }

  @Test
  void cache_staysWithinItsBound_andSkipsObjectsLargerThanIt() throws IOException {
    try (Registry registry = Registry.builder().blobStore(remote).cache(cacheDir, 25_000).build()) {
      for (int i = 0; i < 6; i++) {
        registry.save("m" + i + "@1.0.0", random(10_000, i));
      }
      for (int i = 0; i < 6; i++) {
        assertThat(registry.get("m" + i + "@1.0.0", byte[].class)).isEqualTo(random(10_000, i));
        long size = 0;
        for (Path f : cachedFiles()) {
          size += Files.size(f);
        }
        assertThat(size).as("cache bytes after load " + i).isLessThanOrEqualTo(25_000);
      }
      registry.save("huge@1.0.0", random(30_000, 9));
      List<Path> before = cachedFiles();
      assertThat(registry.get("huge@1.0.0", byte[].class)).isEqualTo(random(30_000, 9));
      assertThat(cachedFiles()).as("an object over the bound is not cached").containsExactlyInAnyOrderElementsOf(before);
    }
  }

  @Test
  void clearCache_emptiesIt() throws IOException {
    try (Registry registry = open(VerifyLevel.INTEGRITY)) {
      registry.save("m@1.0.0", random(100, 4));
      registry.get("m@1.0.0", byte[].class);
      assertThat(cachedFiles()).hasSize(1);

      registry.clearCache();

      assertThat(cachedFiles()).isEmpty();
    }
  }
}
