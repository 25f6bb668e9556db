package dev.arca.registry.spi;

import dev.arca.registry.FileEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link Materializer} reads a version from. Streams verify their bytes against the manifest while
 * they are read (per the registry's verify level): a mismatch throws
 * {@link dev.arca.registry.IntegrityException} from the read that reaches the end of the file, so a
 * materializer that writes what it reads to disk never publishes bad bytes if it renames only after the end.
 * Not thread-safe: one materializer call at a time.
 */
public interface ArtifactReader {

  /**
   * The version's files, sorted by path.
   *
   * @return the entries
   */
  List<FileEntry> files();

  /**
   * Opens one file.
   *
   * @param path a path listed in {@link #files()}
   * @return the verifying stream; the caller closes it
   * @throws IOException on failure
   */
  InputStream open(String path) throws IOException;

  /**
   * The init params the materializer recorded when writing.
   *
   * @return the params
   */
  Map<String, String> params();

  /**
   * The class name of the saved object.
   *
   * @return the class name recorded at save
   */
  String objectClass();

  /**
   * The directory to load file-like objects into: the one the caller named, or a fresh temp directory the
   * caller then owns. Created on first call.
   *
   * @return the directory
   * @throws IOException when it cannot be created
   */
  Path destination() throws IOException;
}
