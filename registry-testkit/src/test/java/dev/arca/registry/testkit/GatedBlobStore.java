package dev.arca.registry.testkit;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A store whose GETs and LISTs pass a gate after the wrapped store answered and before the caller sees the answer,
 * so a test can hold one reader at an exact point (it has read the bytes, the caller has not seen them) while
 * other threads act. Everything else passes straight to the store it wraps. Thread-safe.
 */
final class GatedBlobStore implements BlobStore {

  /** Called on the reading thread with the operation ({@code get}, {@code list}) and its key or prefix; may block. */
  @FunctionalInterface
  interface Gate {
    void passing(String operation, String key) throws IOException;
  }

  private final BlobStore store;
  private volatile @Nullable Gate gate;

  GatedBlobStore(BlobStore store) {
    this.store = store;
  }

  /** Sets the gate every later GET passes through; null removes it. */
  void gate(@Nullable Gate value) {
    this.gate = value;
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    Gate g = gate;
    Optional<BlobContent> content = store.get(key, offset, length);
    if (g == null || content.isEmpty()) {
      return content;
    }
    byte[] bytes = content.get().readAllAndClose();
    g.passing("get", key);
    return Optional.of(new BlobContent(content.get().info(), new ByteArrayInputStream(bytes)));
  }

  @Override
  public String scheme() {
    return store.scheme();
  }

  @Override
  public Capabilities capabilities() {
    return store.capabilities();
  }

  @Override
  public BlobOutput create(String key, Condition condition) throws IOException {
    return store.create(key, condition);
  }

  @Override
  public Optional<String> put(String key, byte[] bytes, Condition condition) throws IOException {
    return store.put(key, bytes, condition);
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    return store.head(key);
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException {
    ListPage page = store.list(prefix, delimited, pageToken);
    Gate g = gate;
    if (g != null) {
      g.passing("list", prefix);
    }
    return page;
  }

  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    return store.delete(key, condition);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
