package dev.arca.registry;

import org.jspecify.annotations.Nullable;

/**
 * A parsed object key: {@code name}, {@code name@version}, {@code name@latest} or {@code name#tag}.
 *
 * @param name the object name, valid per {@link Names#requireName(String)}
 * @param version the version as typed (not yet canonical, since that needs the registry's digits), or
 *     {@code latest}, or null when the key names none
 * @param tag the tag, or null; never set together with {@code version}
 */
public record ObjectKey(String name, @Nullable String version, @Nullable String tag) {

  /**
   * Validates the parts.
   *
   * @param name see the class description
   * @param version see the class description
   * @param tag see the class description
   */
  public ObjectKey {
    Names.requireName(name);
    if (tag != null) {
      Names.requireTag(tag);
      if (version != null) {
        throw new IllegalArgumentException("a key names a version or a tag, not both: " + name);
      }
    }
    if (version != null && version.isEmpty()) {
      throw new IllegalArgumentException("empty version in key '" + name + "@': write name@1.0.0 or name");
    }
  }

  /**
   * Parses {@code name[@version|@latest|#tag]}.
   *
   * @param key the key as typed
   * @return the parsed key
   * @throws IllegalArgumentException naming the rule that {@code key} breaks
   */
  public static ObjectKey parse(String key) {
    int at = key.indexOf('@');
    int hash = key.indexOf('#');
    if (at >= 0 && hash >= 0) {
      throw new IllegalArgumentException(
          "invalid key " + Names.quote(key) + ": use name@version or name#tag, not both");
    }
    if (at >= 0) {
      return new ObjectKey(key.substring(0, at), key.substring(at + 1), null);
    }
    if (hash >= 0) {
      return new ObjectKey(key.substring(0, hash), null, key.substring(hash + 1));
    }
    return new ObjectKey(key, null, null);
  }

  /**
   * Tells whether a string parses as a key.
   *
   * @param key the candidate
   * @return true when {@link #parse(String)} accepts it
   */
  public static boolean isKey(String key) {
    try {
      parse(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Tells whether this key asks for the highest version (no version, or {@code @latest}).
   *
   * @return true for {@code name} and {@code name@latest}
   */
  public boolean isLatest() {
    return tag == null && (version == null || version.equals("latest"));
  }

  @Override
  public String toString() {
    return tag != null ? name + "#" + tag : version != null ? name + "@" + version : name;
  }
}
