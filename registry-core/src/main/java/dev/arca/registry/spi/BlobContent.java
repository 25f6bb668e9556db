package dev.arca.registry.spi;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An open read of one object: its info (etag of the very bytes being read) and its stream.
 *
 * <h2>The stream must be closed</h2>
 * The caller closes this (which closes the stream), or the connection or file handle leaks.
 *
 * @param info the object's info at the time of the read
 * @param stream the bytes (the requested range only, for ranged reads)
 */
public record BlobContent(BlobInfo info, InputStream stream) implements Closeable {

  /**
   * Reads the rest of the stream and closes it.
   *
   * @return the bytes
   * @throws IOException on read failure
   */
  public byte[] readAllAndClose() throws IOException {
    try (InputStream in = stream) {
      return in.readAllBytes();
    }
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
