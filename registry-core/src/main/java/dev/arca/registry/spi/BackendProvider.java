package dev.arca.registry.spi;

import java.io.IOException;
import java.net.URI;

/**
 * Opens backends for one URI scheme. Found through {@link java.util.ServiceLoader}: a backend module lists its
 * provider in {@code META-INF/services/dev.arca.registry.spi.BackendProvider}. Two providers for one scheme on
 * the classpath is an error that names both.
 *
 * <p>Implementations must be thread-safe and have a public no-argument constructor.
 */
public interface BackendProvider {

  /**
   * The URI scheme served, e.g. {@code file}, {@code s3}.
   *
   * @return the scheme, lowercase
   */
  String scheme();

  /**
   * Opens a backend for a URI of this scheme.
   *
   * @param uri the location and its options as query parameters
   * @param context the core's clock, grace period and MVCC protocol
   * @return the backend; the caller closes it
   * @throws IOException when the location cannot be reached
   * @throws IllegalArgumentException when the URI is malformed, naming the problem
   */
  Backend open(URI uri, BackendContext context) throws IOException;
}
