package dev.arca.registry.testkit;

import dev.arca.registry.spi.BlobOutput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;

/**
 * A {@link BlobOutput} for in-memory stores: buffers the bytes and hands them to a publisher at
 * {@link #commit()}. Not thread-safe, like every {@link BlobOutput}.
 */
public final class BufferedBlobOutput extends BlobOutput {

  /** Publishes the whole buffered object: the store's commit. */
  @FunctionalInterface
  public interface Publisher {
    /**
     * Publishes the bytes under the write's key if its condition holds.
     *
     * @param bytes everything written
     * @return the new etag, or empty when the condition did not hold
     * @throws IOException when the store failed
     */
    Optional<String> publish(byte[] bytes) throws IOException;
  }

  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final Publisher publisher;
  private boolean done;

  /**
   * Starts an empty write.
   *
   * @param publisher called once, at commit
   */
  public BufferedBlobOutput(Publisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void write(int b) {
    buffer.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    buffer.write(b, off, len);
  }

  @Override
  public Optional<String> commit() throws IOException {
    if (done) {
      throw new IllegalStateException("already committed or closed");
    }
    done = true;
    return publisher.publish(buffer.toByteArray());
  }

  @Override
  public void close() {
    done = true;
  }
}
