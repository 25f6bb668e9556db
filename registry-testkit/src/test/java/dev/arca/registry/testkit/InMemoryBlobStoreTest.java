package dev.arca.registry.testkit;

import dev.arca.registry.spi.BlobStore;

/** The BlobStore contract on the in-memory store, with small pages so paging is exercised. */
class InMemoryBlobStoreTest extends BlobStoreContract {

  @Override
  protected BlobStore newStore() {
    return InMemoryBlobStore.builder().pageSize(7).build();
  }
}
