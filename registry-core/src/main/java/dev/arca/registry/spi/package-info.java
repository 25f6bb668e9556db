/**
 * The SPI for plugin authors: storage backends ({@link dev.arca.registry.spi.BlobStore} for key/value object
 * stores, {@link dev.arca.registry.spi.Backend} for stores with their own commit point), their discovery
 * ({@link dev.arca.registry.spi.BackendProvider}), and serializers ({@link dev.arca.registry.spi.Materializer}).
 *
 * <p>Implementations must be thread-safe. SPI methods may throw {@link java.io.IOException}; the core wraps it
 * with the key and the operation. Everything here is non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.arca.registry.spi;

import org.jspecify.annotations.NullMarked;
