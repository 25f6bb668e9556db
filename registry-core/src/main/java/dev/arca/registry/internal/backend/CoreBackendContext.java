package dev.arca.registry.internal.backend;

import dev.arca.registry.internal.json.Json;
import dev.arca.registry.internal.mvcc.ObjectStoreBackend;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BlobStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;

/** The core's {@link BackendContext}: MVCC over object stores, probed for real conditional writes when remote. */
public record CoreBackendContext(Clock clock, Duration gracePeriod, boolean probe) implements BackendContext {

  @Override
  public Backend objectStore(BlobStore store) {
    ObjectStoreBackend backend = new ObjectStoreBackend(store, clock, gracePeriod);
    if (probe && store.capabilities().remote()) {
      try {
        backend.probeConditionalWrites();
      } catch (IOException e) {
        throw new UncheckedIOException("conditional-write probe of " + store.scheme() + " failed", e);
      } catch (RuntimeException e) {
        closeQuietly(store);
        throw e;
      }
    }
    return backend;
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

  private static void closeQuietly(BlobStore store) {
    try {
      store.close();
    } catch (IOException | RuntimeException ignored) {
      // the probe's failure is the error worth reporting
    }
  }
}
