package dev.arca.registry.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Where a {@link Materializer} writes a version's files. Every byte is hashed (sha256) and counted as it is
 * written, in one pass. Not thread-safe: one materializer call at a time.
 */
public interface ArtifactWriter {

  /**
   * Opens a file for writing; closing the stream stores it.
   *
   * @param path a relative path valid per {@link dev.arca.registry.Names#requirePath(String)}, new in this version
   * @return the stream; the caller closes it
   * @throws IOException on failure
   */
  OutputStream file(String path) throws IOException;

  /**
   * Stores a file from a stream, reading it to its end. The stream is not closed.
   *
   * @param path a relative path, new in this version
   * @param source the bytes
   * @throws IOException on failure
   */
  default void file(String path, InputStream source) throws IOException {
    try (OutputStream out = file(path)) {
      source.transferTo(out);
    }
  }

  /**
   * Stores a file straight from disk, with no temp copy.
   *
   * @param path a relative path, new in this version
   * @param source a regular file
   * @throws IOException on failure
   */
  void file(String path, Path source) throws IOException;

  /**
   * Records an init param, handed back on load by {@link ArtifactReader#params()}.
   *
   * @param key the param's name
   * @param value its value
   */
  void param(String key, String value);
}
