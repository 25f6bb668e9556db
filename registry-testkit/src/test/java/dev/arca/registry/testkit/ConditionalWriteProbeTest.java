package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.Registry;
import dev.arca.registry.UnsupportedCapabilityException;
import org.junit.jupiter.api.Test;

/**
 * A remote store that ignores conditional writes is refused before this process's first write, with the risk and
 * the opt-out named; opening it (and reading) writes nothing, so read-only credentials can open a registry.
 */
class ConditionalWriteProbeTest {

  @Test
  void storeIgnoringIfAbsent_isRefusedAtTheFirstWrite_withTheRiskAndTheOptOut() {
    InMemoryBlobStore broken = InMemoryBlobStore.builder().remote().ignoringConditions().build();

    try (Registry registry = Registry.builder().blobStore(broken).noCache().build()) {
      assertThat(registry.names()).isEmpty();
      assertThatThrownBy(() -> registry.put("m", 1))
          .isInstanceOf(UnsupportedCapabilityException.class)
          .hasMessageContaining("ignores conditional writes")
          .hasMessageContaining("lose data")
          .hasMessageContaining("skipConditionalWriteProbe()");
    }
    assertThat(broken.keys()).as("nothing left behind").isEmpty();
  }

  @Test
  void probe_ofAnHonestStore_passes_andLeavesNothingBehind_butTheSettings() {
    InMemoryBlobStore store = InMemoryBlobStore.builder().remote().build();

    try (Registry registry = Registry.builder().blobStore(store).noCache().build()) {
      assertThat(registry.names()).isEmpty();
      assertThat(store.keys()).as("opening writes nothing").isEmpty();
      registry.put("m", 1);
    }
    assertThat(store.keys()).contains("arca.json").noneMatch(k -> k.startsWith("probe/"));
  }

  @Test
  void optOut_opensABrokenStore() {
    InMemoryBlobStore broken = InMemoryBlobStore.builder().remote().ignoringConditions().build();

    try (Registry registry = Registry.builder().blobStore(broken).skipConditionalWriteProbe().build()) {
      registry.put("m", 1);
      assertThat(registry.get("m")).isEqualTo(1);
    }
  }
}
