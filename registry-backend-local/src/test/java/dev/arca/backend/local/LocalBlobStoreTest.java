package dev.arca.backend.local;

import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.testkit.BlobStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The BlobStore contract on the local filesystem, fsync on. */
class LocalBlobStoreTest extends BlobStoreContract {

  @TempDir Path root;

  @Override
  protected BlobStore newStore() throws Exception {
    return new LocalBlobStore(root, true);
  }
}
