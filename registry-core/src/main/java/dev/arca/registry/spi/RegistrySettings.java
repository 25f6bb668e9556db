package dev.arca.registry.spi;

import dev.arca.registry.ObjectKey;
import dev.arca.registry.Version;
import java.util.Map;
import java.util.Optional;
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

  /**
   * The version a save of {@code key} writes, when that is known before saving: the key's explicit version, or in
   * an unversioned registry the one version every name has. Batch saves use it to refuse two keys naming one
   * version before writing anything.
   *
   * @param key the key to save
   * @return that version; empty when the save takes the next version, or the key names a tag or {@code latest}
   *     (which a save refuses)
   * @throws IllegalArgumentException when the key's version is malformed
   */
  public Optional<Version> versionSavedBy(ObjectKey key) {
    if (key.tag() != null || "latest".equals(key.version())) {
      return Optional.empty();
    }
    if (key.version() != null) {
      return Optional.of(Version.parse(key.version(), versionDigits));
    }
    return versioned ? Optional.empty() : Optional.of(Version.first(versionDigits));
  }
}
