package dev.arca.registry.spi;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * A write in progress to one {@link BlobStore} key. Nothing is visible under the key until {@link #commit()}
 * succeeds, and then the whole object is, at once.
 *
 * <h2>Lifecycle</h2>
 * Write the bytes, then call {@link #commit()} once. {@link #close()} without a successful commit abandons the
 * write and frees what it holds (temp files, multipart uploads); after a commit it does nothing. Not
 * thread-safe: one writer thread at a time.
 */
public abstract class BlobOutput extends OutputStream {

  /** For subclasses. */
  protected BlobOutput() {}

  /**
   * Publishes the written bytes under the key if the write's {@link Condition} holds, atomically with the check.
   *
   * @return the new object's etag, or empty when the condition did not hold (nothing was written)
   * @throws IOException when the store failed; the outcome is then unknown only if the store says so
   */
  public abstract Optional<String> commit() throws IOException;

  /** Abandons the write unless it was committed. */
  @Override
  public abstract void close() throws IOException;
}
