package dev.arca.registry.testkit;

import dev.arca.registry.Registry;

/** The Registry contract on the in-memory store: the reference run of the MVCC protocol. */
class InMemoryRegistryTest extends RegistryContract {

  @Override
  protected TestStorage newStorage() {
    InMemoryBlobStore store = InMemoryBlobStore.builder().pageSize(50).build();
    return () -> Registry.builder().blobStore(store);
  }
}
