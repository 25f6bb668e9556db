package dev.arca.registry.spi;

import dev.arca.registry.ObjectKey;
import dev.arca.registry.Version;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
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
 * @param gracePeriodSeconds how long the janitor keeps files no manifest references (a write in flight, a replaced
 *     or deleted version's files for readers that hold its manifest): one value for every process, so no
 *     process's setting can make another's janitor remove a live write; 0 (absent in a stored document) means
 *     {@link #DEFAULT_GRACE_PERIOD}
 */
public record RegistrySettings(int schema, int layout, boolean versioned, boolean mutable, int versionDigits,
    Map<String, String> materializers, long gracePeriodSeconds) {

  /** The grace period of a registry created without one. */
  public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofHours(1);

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
   * @param gracePeriodSeconds see the class description
   */
  public RegistrySettings {
    layout = layout == 0 ? 1 : layout;
    gracePeriodSeconds = gracePeriodSeconds == 0 ? DEFAULT_GRACE_PERIOD.toSeconds() : gracePeriodSeconds;
    if (gracePeriodSeconds < 1) {
      throw new IllegalArgumentException("gracePeriodSeconds must be positive, got " + gracePeriodSeconds);
    }
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
    return new RegistrySettings(schema, layout, versioned, mutable, versionDigits, copy, gracePeriodSeconds);
  }

  /**
   * New settings at the current {@link #LAYOUT}.
   *
   * @param versioned see the class description
   * @param mutable see the class description
   * @param versionDigits see the class description
   * @param gracePeriod see the class description, at least one second
   * @return the settings
   */
  public static RegistrySettings create(boolean versioned, boolean mutable, int versionDigits,
      Duration gracePeriod) {
    return new RegistrySettings(1, LAYOUT, versioned, mutable, versionDigits, Map.of(), gracePeriod.toSeconds());
  }

  /**
   * The grace period.
   *
   * @return {@link #gracePeriodSeconds()} as a duration
   */
  public Duration gracePeriod() {
    return Duration.ofSeconds(gracePeriodSeconds);
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
