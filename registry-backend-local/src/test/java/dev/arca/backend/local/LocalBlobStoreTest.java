package dev.arca.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.testkit.BlobStoreContract;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BlobStore contract on the local filesystem, fsync on. */
class LocalBlobStoreTest extends BlobStoreContract {

  @TempDir Path root;

  @Override
  protected BlobStore newStore() throws Exception {
    return new LocalBlobStore(root, true);
  }

  @Test
  void writtenFilesAndDirectories_getTheModesOfAPlainWrite_soAGroupCanShareTheRegistry(@TempDir Path other)
      throws Exception {
    Path reference = other.resolve("reference");
    try (OutputStream out = Files.newOutputStream(reference)) {
      out.write(1);
    }
    Path referenceDir = Files.createDirectory(other.resolve("reference-dir"));
    Path storeRoot = other.resolve("store");
    try (BlobStore store = new LocalBlobStore(storeRoot, true)) {
      store.put("a/b/unconditional", new byte[] {1}, Condition.NONE);
      store.put("a/b/if-absent", new byte[] {2}, Condition.IF_ABSENT);
      String etag = store.put("a/replaced", new byte[] {3}, Condition.NONE).orElseThrow();
      store.put("a/replaced", new byte[] {4}, Condition.ifMatch(etag));
    }

    try (Stream<Path> written = Files.walk(storeRoot)) {
      for (Path p : written.toList()) {
        Path expected = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? referenceDir : reference;
        assertThat(LoadIntoTest.modes(p)).as(storeRoot.relativize(p).toString()).isEqualTo(LoadIntoTest.modes(expected));
      }
    }
  }
}
