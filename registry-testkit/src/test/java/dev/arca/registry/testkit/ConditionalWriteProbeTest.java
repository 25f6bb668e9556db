package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.Registry;
import dev.arca.registry.UnsupportedCapabilityException;
import org.junit.jupiter.api.Test;

/** Opening a remote store that ignores conditional writes is refused before anything is written. */
class ConditionalWriteProbeTest {

  @Test
  void storeIgnoringIfAbsent_isRefusedOnOpen_withTheRiskAndTheOptOut() {
    InMemoryBlobStore broken = InMemoryBlobStore.builder().remote().ignoringConditions().build();

    assertThatThrownBy(() -> Registry.builder().blobStore(broken).build())
        .isInstanceOf(UnsupportedCapabilityException.class)
        .hasMessageContaining("ignores conditional writes")
        .hasMessageContaining("lose data")
        .hasMessageContaining("skipConditionalWriteProbe()");
    assertThat(broken.keys()).as("nothing left behind").isEmpty();
  }

  @Test
  void probe_ofAnHonestStore_passes_andLeavesNothingBehind() {
    InMemoryBlobStore store = InMemoryBlobStore.builder().remote().build();

    try (Registry registry = Registry.builder().blobStore(store).build()) {
      assertThat(registry.names()).isEmpty();
    }
    assertThat(store.keys()).containsExactly("arca.json");
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
