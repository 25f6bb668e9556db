package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Registry;
import dev.arca.registry.VerifyResult;
import dev.arca.registry.VerifyResult.Status;
import dev.arca.registry.spi.Condition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verify reads the remote copy, bypassing a cache that holds good copies, and reports every version: ok, CORRUPT or
 * MISSING; {@code cached} checks the cache's copies instead.
 */
class VerifyTest {

  @TempDir Path cacheDir;
  private final InMemoryBlobStore remote = InMemoryBlobStore.builder().remote().build();
  private Registry registry;

  @BeforeEach
  void saveThreeVersions_loadThemIntoTheCache_thenDamageTheRemote() throws IOException {
    registry = Registry.builder().blobStore(remote).cache(cacheDir, 1 << 20).build();
    for (String name : List.of("bad", "gone", "good")) {
      registry.put(name, ("bytes of " + name).getBytes());
      registry.get(name, byte[].class);
    }
    remote.corrupt(fileKey("bad"), "flipped!".getBytes());
    remote.delete(fileKey("gone"), Condition.NONE);
  }

  private String fileKey(String name) {
    return remote.keys().stream().filter(k -> k.startsWith("objects/" + name + "/")).findFirst().orElseThrow();
  }

  @Test
  void verifyAll_readsTheRemote_andReportsEveryVersion_continuingPastProblems() {
    List<VerifyResult> results = registry.verifyAll(false);

    assertThat(results).extracting(VerifyResult::key).containsExactly("bad@1.0.0", "gone@1.0.0", "good@1.0.0");
    assertThat(results).extracting(VerifyResult::status).containsExactly(Status.CORRUPT, Status.MISSING, Status.OK);
    assertThat(results.get(0).problem()).contains("bad@1.0.0 file 'data'");
    assertThat(results.get(1).problem()).contains("file 'data' is gone");
    assertThat(results.get(2).problem()).isNull();
    assertThat(results.get(2).bytes()).isEqualTo("bytes of good".length());
  }

  @Test
  void verifyAll_skipsAVersionWhoseDeleteHasNotWrittenItsListingHint_ratherThanCallingItMissing()
      throws IOException {
    try (Registry plain = Registry.builder().blobStore(remote).noCache().build()) {
      plain.save("deleted", "soon gone");
      plain.delete("deleted@1.0.0");
      remote.delete("meta/deleted/1.0.0.deleted", Condition.NONE); // as a delete that stopped before the hint

      assertThat(plain.verifyAll(false)).extracting(VerifyResult::key)
          .containsExactly("bad@1.0.0", "gone@1.0.0", "good@1.0.0");
    }
  }

  @Test
  void verifyCached_checksTheCachesCopies_whichAreGoodHere_andFindsACorruptOne() throws IOException {
    assertThat(registry.verifyAll(true)).extracting(VerifyResult::status)
        .containsExactly(Status.OK, Status.OK, Status.OK);

    for (Path cached : cachedFiles()) {
      Files.write(cached, "rotten".getBytes());
    }

    assertThat(registry.verify("good", true).status()).isEqualTo(Status.CORRUPT);
    assertThat(registry.verify("good", true).status()).as("verify reports, it does not repair")
        .isEqualTo(Status.CORRUPT);
    assertThat(registry.verify("good", false).status()).as("the remote copy is fine").isEqualTo(Status.OK);
  }

  @Test
  void anAlteredManifest_isCorrupt_andAMissingOneIsMissing() throws IOException {
    String sha256 = registry.info("good").files().get(0).sha256();
    String manifest = "meta/good/1.0.0.json";
    remote.corrupt(manifest, new String(readAll(manifest)).replace(sha256, "0".repeat(64)).getBytes());
    remote.delete("meta/bad/1.0.0.json", Condition.NONE);

    try (Registry uncached = Registry.builder().blobStore(remote).noCache().build()) {
      assertThat(uncached.verify("good@1.0.0", false).problem()).contains("does not match its digest");
      assertThat(uncached.verify("bad@1.0.0", false).status()).isEqualTo(Status.MISSING);
    }
  }

  private byte[] readAll(String key) {
    try {
      return remote.get(key).orElseThrow().readAllAndClose();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<Path> cachedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(cacheDir.resolve("sha256"))) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
