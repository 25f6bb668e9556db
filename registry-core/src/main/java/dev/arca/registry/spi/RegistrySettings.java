package dev.arca.registry.spi;

import java.util.Map;
import java.util.TreeMap;

/**
 * The settings a registry persists in its backend and checks on every open.
 *
 * @param schema settings schema, 1
 * @param layout the storage layout version the registry was written with: 1 (before tombstones; no field stored)
 *     or {@link #LAYOUT}; a process refuses a registry whose layout is newer than the one it knows
 * @param versioned whether saves without a version auto-increment (else one version per name)
 * @param mutable whether versions may be overwritten
 * @param versionDigits number of version components, 1 to 9
 * @param materializers class name to materializer id, the registry's persisted type mapping
 */
public record RegistrySettings(int schema, int layout, boolean versioned, boolean mutable, int versionDigits,
    Map<String, String> materializers) {

  /**
   * The layout this library writes: 2 adds tombstones for deleted versions and removed tags (a version number is
   * never reused). Layout 1 registries read the same; layout 2 ones must not be written by a library that
   * predates tombstones.
   */
  public static final int LAYOUT = 2;

  /**
   * Validates and copies.
   *
   * @param schema see the class description
   * @param layout see the class description; 0 (absent in a stored document) means 1
   * @param versioned see the class description
   * @param mutable see the class description
   * @param versionDigits see the class description
   * @param materializers see the class description
   */
  public RegistrySettings {
    layout = layout == 0 ? 1 : layout;
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
    return new RegistrySettings(schema, layout, versioned, mutable, versionDigits, copy);
  }

  /**
   * New settings at the current {@link #LAYOUT}.
   *
   * @param versioned see the class description
   * @param mutable see the class description
   * @param versionDigits see the class description
   * @return the settings
   */
  public static RegistrySettings create(boolean versioned, boolean mutable, int versionDigits) {
    return new RegistrySettings(1, LAYOUT, versioned, mutable, versionDigits, Map.of());
  }
}
