package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.Manifest;
import dev.arca.registry.OnConflict;
import dev.arca.registry.Registry;
import dev.arca.registry.SaveOptions;
import org.junit.jupiter.api.Test;

/**
 * A commit whose response was lost, retried by the client and answered "precondition failed" by its own write,
 * is recognized as the writer's own commit: no spurious conflict, no duplicate version.
 */
class LostResponseTest {

  private final InMemoryBlobStore store = InMemoryBlobStore.create();

  @Test
  void explicitVersion_lostResponse_isStillASuccess() {
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      store.loseConditionalResponses(1);

      Manifest saved = registry.save("m@1.0.0", "v");

      assertThat(registry.info("m@1.0.0").uuid()).isEqualTo(saved.uuid());
    }
  }

  @Test
  void autoIncrement_lostResponse_doesNotClaimASecondVersion() {
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      store.loseConditionalResponses(1);

      Manifest saved = registry.save("m", "v");

      assertThat(saved.version()).hasToString("1.0.0");
      assertThat(registry.versions("m")).hasSize(1);
    }
  }

  @Test
  void overwrite_lostResponse_isStillASuccess() {
    try (Registry registry = Registry.builder().blobStore(store).mutable(true).build()) {
      registry.save("m@1.0.0", "old");
      store.loseConditionalResponses(1);

      Manifest saved = registry.save("m@1.0.0", "new", SaveOptions.defaults().withOnConflict(OnConflict.OVERWRITE));

      assertThat(registry.get("m@1.0.0")).isEqualTo("new");
      assertThat(registry.info("m@1.0.0").uuid()).isEqualTo(saved.uuid());
    }
  }
}
