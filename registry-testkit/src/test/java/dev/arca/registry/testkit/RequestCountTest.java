package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.ObjectNotFoundException;
import dev.arca.registry.ReadOnlyRegistryException;
import dev.arca.registry.Registry;
import org.junit.jupiter.api.Test;

/**
 * The commit protocol's cost in store requests: in an existing registry, a save of a known version is one write
 * per file plus one conditional manifest write, and a load of a known version is one manifest read plus one read
 * per file.
 */
class RequestCountTest {

  @Test
  void saveAndLoadOfAKnownVersion_costTheMinimumRequests() {
    InMemoryBlobStore store = InMemoryBlobStore.create();
    try (Registry registry = Registry.builder().blobStore(store).build()) {
      registry.save("created", new byte[] {0}); // the first write of a new registry also stores its settings
      long puts = store.requests("put");
      long gets = store.requests("get");
      long lists = store.requests("list");

      registry.save("m@1.0.0", new byte[] {1, 2, 3});

      assertThat(store.requests("put") - puts).as("puts for a save").isEqualTo(2);
      assertThat(store.requests("get") - gets).as("gets for a save").isZero();
      assertThat(store.requests("list") - lists).as("lists for a save").isZero();

      gets = store.requests("get");
      registry.get("m@1.0.0", byte[].class);
      assertThat(store.requests("get") - gets).as("gets for a load").isEqualTo(2);
      assertThat(store.requests("list") - lists).as("lists for a load").isZero();
    }
  }

  @Test
  void readOnlyOpen_andReads_andRefusedWrites_issueNoWriteRequest() {
    InMemoryBlobStore store = InMemoryBlobStore.create();
    try (Registry writer = Registry.builder().blobStore(store).build()) {
      writer.save("m", new byte[] {1});
      writer.tag("m@1.0.0", "prod");
    }
    long puts = store.requests("put");
    long deletes = store.requests("delete");

    try (Registry reader = Registry.builder().blobStore(store).readOnly(true).build()) {
      reader.get("m", byte[].class);
      reader.get("m#prod", byte[].class);
      reader.names();
      reader.listAll();
      reader.tags("m");
      assertThatThrownBy(() -> reader.save("m", new byte[] {2})).isInstanceOf(ReadOnlyRegistryException.class)
          .hasMessageContaining(store.toString());
      assertThatThrownBy(() -> reader.janitor(false)).isInstanceOf(ReadOnlyRegistryException.class);
    }

    assertThat(store.requests("put") - puts).as("puts").isZero();
    assertThat(store.requests("delete") - deletes).as("deletes").isZero();
  }

  @Test
  void readOnlyOpen_ofAnEmptyStore_failsNamingIt_withoutAWrite() {
    InMemoryBlobStore store = InMemoryBlobStore.create();

    assertThatThrownBy(() -> Registry.builder().blobStore(store).readOnly(true).build())
        .isInstanceOf(ObjectNotFoundException.class).hasMessageContaining("no registry at " + store);
    assertThat(store.requests("put")).isZero();
    assertThat(store.requests("delete")).isZero();
  }
}
