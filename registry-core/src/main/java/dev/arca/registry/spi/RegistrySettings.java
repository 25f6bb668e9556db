package dev.arca.registry.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a registry persists in its backend and checks on every open.
 *
 * @param schema settings schema, 1
 * @param versioned whether saves without a version auto-increment (else one version per name)
 * @param mutable whether versions may be overwritten
 * @param versionDigits number of version components, 1 to 9
 * @param materializers class name to materializer id, the registry's persisted type mapping
 */
public record RegistrySettings(
    int schema, boolean versioned, boolean mutable, int versionDigits, Map<String, String> materializers) {

  /**
   * Validates and copies.
   *
   * @param schema see the class description
   * @param versioned see the class description
   * @param mutable see the class description
   * @param versionDigits see the class description
   * @param materializers see the class description
   */
  public RegistrySettings {
    if (versionDigits < 1 || versionDigits > 9) {
      throw new IllegalArgumentException("versionDigits must be 1 to 9, got " + versionDigits);
    }
    materializers = java.util.Collections.unmodifiableMap(new TreeMap<>(materializers));
  }

  /**
   * These settings with one more type mapping.
   *
   * @param className the class
   * @param materializerId the materializer for it
   * @return new settings
   */
  public RegistrySettings withMaterializer(String className, String materializerId) {
    Map<String, String> copy = new TreeMap<>(materializers);
    copy.put(className, materializerId);
    return new RegistrySettings(schema, versioned, mutable, versionDigits, copy);
  }
}
