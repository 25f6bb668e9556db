package dev.arca.reliability;

import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A store whose clock, as the janitor reads it, runs ahead of the server's by a settable amount: for servers whose
 * stored objects cannot be aged on disk (a RADOS Gateway keeps them in its OSD). The time is the server's own, read
 * from a fresh object's last-modified time, plus the offset. Thread-safe.
 */
final class StoreClockAhead implements BlobStore {

  private final BlobStore store;
  private volatile Duration ahead = Duration.ZERO;

  StoreClockAhead(BlobStore store) {
    this.store = store;
  }

  /** Moves the clock further ahead. */
  void advance(Duration by) {
    ahead = ahead.plus(by);
  }

  @Override
  public Optional<Instant> now() throws IOException {
    String key = "probe/clock-ahead-" + java.util.UUID.randomUUID();
    store.put(key, new byte[0], Condition.NONE);
    try {
      return Optional.of(store.head(key).orElseThrow(() -> new IOException(key + " vanished")).lastModified()
          .plus(ahead));
    } finally {
      store.delete(key, Condition.NONE);
    }
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
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    return store.get(key, offset, length);
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    return store.head(key);
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException {
    return store.list(prefix, delimited, pageToken);
  }

  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    return store.delete(key, condition);
  }

  @Override
  public void removeAbandonedWrites() throws IOException {
    store.removeAbandonedWrites();
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
