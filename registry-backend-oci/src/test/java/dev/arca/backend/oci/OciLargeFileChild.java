package dev.arca.backend.oci;

import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import java.net.URI;
import java.nio.file.Path;

/** Saves and loads a large file through an oci: URI in a JVM whose heap is smaller than the file. */
public final class OciLargeFileChild {

  public static void main(String[] args) throws Exception {
    try (Registry registry = Registry.open(URI.create(args[0]))) {
      Manifest m = registry.save("big", Path.of(args[1]));
      Path loaded = registry.loadInto("big", Path.of(args[2]));
      System.out.println(m.files().get(0).sha256() + " " + loaded + " " + Runtime.getRuntime().maxMemory());
    }
  }
}
