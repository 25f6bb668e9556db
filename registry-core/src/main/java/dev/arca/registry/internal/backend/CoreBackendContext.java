package dev.arca.registry.internal.backend;

import dev.arca.registry.internal.json.Json;
import dev.arca.registry.internal.mvcc.ObjectStoreBackend;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BlobStore;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * The core's {@link BackendContext}: MVCC over object stores, probed for real conditional writes before the first
 * write when remote.
 */
public record CoreBackendContext(Clock clock, LongSupplier ticker, boolean probe) implements BackendContext {

  @Override
  public Backend objectStore(BlobStore store) {
    return new ObjectStoreBackend(store, clock, ticker, probe); // probes before its first write, not here
  }

  @Override
  public byte[] toJson(Object document) {
    return Json.write(document);
  }

  @Override
  public <T> T fromJson(byte[] json, Class<T> type) {
    try {
      return Json.read(json, type);
    } catch (Json.MalformedDocumentException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
