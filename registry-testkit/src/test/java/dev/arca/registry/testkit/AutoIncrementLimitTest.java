package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.Registry;
import dev.arca.registry.Version;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** A name whose last version component reached its 18-digit limit: auto-increment stops, nothing is hidden. */
class AutoIncrementLimitTest {

  @Test
  void save_afterTheLargestLastComponent_failsNamingTheFix_writesNothing_andAnExplicitVersionContinues() throws IOException {
    InMemoryBlobStore store = InMemoryBlobStore.create();
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      registry.save("m@1.0.999999999999999999", "last");
      int keys = store.listAll("", false).blobs().size();

      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> registry.save("m", "one more")).hasMessageContaining("at most 18 digits")
            .hasMessageContaining("name@1.1.0");
      }

      assertThat(store.listAll("", false).blobs()).as("what the failed saves left").hasSize(keys);
      assertThat(registry.versions("m")).containsExactly(Version.parse("1.0.999999999999999999", 3));
      registry.save("m@1.1.0", "raised by hand");
      assertThat(registry.save("m", "next").version()).isEqualTo(Version.parse("1.1.1", 3));
    }
  }
}
