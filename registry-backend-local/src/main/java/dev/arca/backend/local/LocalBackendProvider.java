package dev.arca.backend.local;

import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.BackendContext;
import dev.arca.registry.spi.BackendProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

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
    String query = uri.getQuery();
    if (query != null && !query.isEmpty()) {
      for (String option : query.split("&")) {
        String[] kv = option.split("=", 2);
        if (kv[0].equals("fsync") && kv.length == 2) {
          fsync = parseBoolean(kv[1]);
        } else {
          throw new IllegalArgumentException("unknown option '" + option + "' in " + uri + ": file URIs take fsync=true|false");
        }
      }
    }
    return context.objectStore(new LocalBlobStore(Path.of(uri.getPath()), fsync));
  }

  private static boolean parseBoolean(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("fsync must be true or false, got '" + value + "'");
    };
  }
}
