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
 * write when remote (never for a read-only registry, which never writes).
 */
public record CoreBackendContext(Clock clock, LongSupplier ticker, boolean probe, boolean readOnly)
    implements BackendContext {

  /**
   * A context for a registry that writes.
   *
   * @param clock the clock
   * @param ticker the monotonic clock
   * @param probe whether to probe remote stores before the first write
   */
  public CoreBackendContext(Clock clock, LongSupplier ticker, boolean probe) {
    this(clock, ticker, probe, false);
  }

  @Override
  public Backend objectStore(BlobStore store) {
    return new ObjectStoreBackend(store, clock, ticker, probe && !readOnly); // probes before its first write
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
