package dev.arca.examples;

import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import java.util.List;

/**
 * The README's quickstart: save, load, tag and list on the embedded default registry ($ARCA_HOME, else
 * ~/.arca/registry).
 */
public final class Quickstart {

  /** A training configuration, saved as JSON. */
  public record Config(String optimizer, double learningRate, int epochs) {}

  private Quickstart() {}

  public static void main(String[] args) {
    try (Registry registry = Registry.local()) {
      Manifest saved = registry.put("quickstart:config", new Config("adam", 3e-4, 10));   // next version
      registry.put("quickstart:weights", new byte[] {1, 2, 3, 4});
      Config config = registry.get("quickstart:config@" + saved.version(), Config.class);  // verified on read
      registry.tag("quickstart:config@" + saved.version(), "prod");
      byte[] weights = registry.get("quickstart:weights", byte[].class);                  // the latest

      System.out.println("saved  quickstart:config@" + saved.version() + "  digest " + saved.digest());
      System.out.println("loaded " + config + " and " + weights.length + " bytes of weights");
      System.out.println("prod = quickstart:config@" + registry.tags("quickstart:config").get("prod"));
      for (String name : registry.names()) {
        List<?> versions = registry.versions(name);
        System.out.println("list   " + name + "  " + versions.size() + " version(s), latest "
            + versions.get(versions.size() - 1));
      }
      System.out.println("registry at " + Registry.defaultLocation());
    }
  }
}
