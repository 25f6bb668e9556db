package dev.arca.backend.local;

import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import dev.arca.registry.spi.UriOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens {@code file:///absolute/path[?fsync=false]} registries. {@code fsync=false} trades durability across
 * power loss for speed (files and directories are then not forced to disk); atomicity is kept either way.
 */
public final class LocalBackendProvider implements BackendProvider {

  /** For ServiceLoader. */
  public LocalBackendProvider() {}

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public Backend open(URI uri, BackendContext context) throws IOException {
    if (uri.getPath() == null || uri.getPath().isEmpty() || (uri.getAuthority() != null && !uri.getAuthority().isEmpty())) {
      throw new IllegalArgumentException("file URI '" + uri + "' must name an absolute local path: file:///var/arca");
    }
    boolean fsync = true;
    for (Map.Entry<String, String> option : UriOptions.of(uri).entrySet()) {
      if (!option.getKey().equals("fsync")) {
        throw new IllegalArgumentException("unknown option '" + option.getKey() + "' in " + uri
            + ": file URIs take fsync=true|false");
      }
      fsync = UriOptions.bool("fsync", option.getValue());
    }
    return context.objectStore(new LocalBlobStore(Path.of(uri.getPath()), fsync));
  }
}
