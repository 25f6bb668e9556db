package dev.arca.store;

import dev.arca.registry.ObjectKey;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed store key: {@code [mount/]name[@version|#tag]}. Names never contain {@code /}, so the mount part is
 * unambiguous.
 *
 * @param mount the mount named, or null for an unqualified key
 * @param key the object key within the mount
 */
public record StoreKey(@Nullable String mount, ObjectKey key) {

  private static final Pattern MOUNT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /**
   * Checks a mount name: 1 to 64 characters of {@code [A-Za-z0-9_-]}, starting with a letter or digit.
   *
   * @param name the candidate
   * @return the name
   * @throws IllegalArgumentException naming the rule
   */
  public static String requireMountName(String name) {
    if (!MOUNT.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid mount name '" + name + "': a mount name is 1 to 64 characters of"
          + " [A-Za-z0-9_-] starting with a letter or digit");
    }
    return name;
  }

  /**
   * Parses a store key.
   *
   * @param text the key as typed
   * @return the parsed key
   * @throws StoreKeyFormatException naming the rule it breaks
   */
  public static StoreKey parse(String text) {
    int slash = text.indexOf('/');
    try {
      if (slash < 0) {
        return new StoreKey(null, ObjectKey.parse(text));
      }
      if (text.indexOf('/', slash + 1) >= 0) {
        throw new IllegalArgumentException("a key holds at most one '/', between the mount and the name");
      }
      return new StoreKey(requireMountName(text.substring(0, slash)), ObjectKey.parse(text.substring(slash + 1)));
    } catch (IllegalArgumentException e) {
      throw new StoreKeyFormatException("invalid store key '" + text + "': " + e.getMessage()
          + " (keys are [mount/]name[@version|#tag])");
    }
  }

  /**
   * Tells whether a string parses as a store key.
   *
   * @param text the candidate
   * @return true when {@link #parse(String)} accepts it
   */
  public static boolean isKey(String text) {
    try {
      parse(text);
      return true;
    } catch (StoreKeyFormatException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return mount != null ? mount + "/" + key : key.toString();
  }
}
