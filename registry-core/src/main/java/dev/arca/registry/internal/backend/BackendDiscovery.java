package dev.arca.registry.internal.backend;

import dev.arca.registry.spi.BackendProvider;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the one {@link BackendProvider} for a URI's scheme on the classpath. */
public final class BackendDiscovery {

  private static final Map<String, String> ARTIFACTS = Map.of(
      "file", "dev.arca:registry-backend-local",
      "s3", "dev.arca:registry-backend-s3",
      "gs", "dev.arca:registry-backend-gcs",
      "oci", "dev.arca:registry-backend-oci");

  private BackendDiscovery() {}

  public static BackendProvider find(URI uri, ClassLoader loader) {
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new IllegalArgumentException("registry URI '" + uri + "' has no scheme: write file:///path,"
          + " s3://bucket/prefix, gs://bucket/prefix or oci://host/repo");
    }
    scheme = scheme.toLowerCase(Locale.ROOT);
    List<BackendProvider> matches = new ArrayList<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
      if (p.scheme().equals(scheme)) {
        matches.add(p);
      }
    }
    if (matches.isEmpty()) {
      String artifact = ARTIFACTS.get(scheme);
      throw new IllegalArgumentException("no backend for scheme '" + scheme + "' on the classpath"
          + (artifact != null ? ": add the dependency " + artifact : ""));
    }
    if (matches.size() > 1) {
      throw new IllegalStateException("two backends serve scheme '" + scheme + "': "
          + matches.get(0).getClass().getName() + " and " + matches.get(1).getClass().getName()
          + "; keep one of them on the classpath, or pass the backend to Registry.builder().backend(...)");
    }
    return matches.get(0);
  }
}
