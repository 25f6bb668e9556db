package dev.arca.backend.oci;

import dev.arca.registry.Names;
import dev.arca.registry.Version;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How Arca keys map to OCI tags ({@code [A-Za-z0-9_][A-Za-z0-9._-]{0,127}}), reversibly and without collisions.
 *
 * <p>A name's <em>form</em> is the name with {@code _} written {@code _u} and {@code :} written {@code _c} (the
 * only name characters a tag cannot hold as they are), when that is at most {@value #PLAIN_LIMIT} characters;
 * longer names take the hashed form {@code _h} + 32 base-32 characters of their SHA-256, and the full name lives
 * in the manifest's {@code dev.arca.name} annotation. A plain form never starts with {@code _} and never contains
 * {@code _v}, {@code _t} or {@code _h}, so:
 * <ul>
 *   <li>version {@code V} of a name: {@code form + "_v" + V} (e.g. {@code my-model_v1.0.2}), a version manifest
 *       or, once deleted, its tombstone;
 *   <li>beside a tombstone, a listing hint {@code form + "_x" + V}, so listings skip deleted versions without
 *       reading their manifests;
 *   <li>the tags (aliases) of a name: {@code form + "_t"}, one document holding all of them;
 *   <li>registry settings: {@code _arca.settings}; what the janitor has seen: {@code _arca.janitor}.
 * </ul>
 * A version longer than the tag has room for (46 characters after a plain form, 92 after a hashed one) is
 * refused with a clear error, never truncated. Listings ignore every tag that does not parse back exactly (a
 * valid name's form, a canonical version with the registry's number of components): other tools' tags such as
 * {@code build_2024_v1} or {@code release_v2} are not Arca's.
 */
final class OciTags {

  static final int MAX_TAG = 128;
  static final int PLAIN_LIMIT = 80;
  static final String SETTINGS = "_arca.settings";
  static final String JANITOR = "_arca.janitor";
  private static final String HASHED = "_h";
  private static final int HASH_LENGTH = 32;
  private static final String VERSION = "_v";
  private static final String DELETED = "_x";
  private static final String ALIASES = "_t";
  private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

  private OciTags() {}

  /** The tag prefix of a name, plain or hashed. */
  static String form(String name) {
    String plain = Names.requireName(name).replace("_", "_u").replace(":", "_c");
    return plain.length() <= PLAIN_LIMIT ? plain : HASHED + hash(name);
  }

  static boolean hashed(String form) {
    return form.startsWith(HASHED);
  }

  static String version(String name, Version version) {
    return tag(form(name), name, VERSION, version);
  }

  /** The version tag of a name's form, as a listing found it. */
  static String versionOfForm(String form, Version version) {
    return tag(form, form, VERSION, version);
  }

  private static String tag(String form, String name, String marker, Version version) {
    String tag = form + marker + version;
    if (tag.length() > MAX_TAG) {
      throw new IllegalArgumentException("version " + version + " of '" + name + "' does not fit an OCI tag ("
          + MAX_TAG + " characters, " + (MAX_TAG - form.length() - VERSION.length()) + " left for the"
          + " version): use a shorter version");
    }
    return tag;
  }

  static String aliases(String name) {
    return form(name) + ALIASES;
  }

  /** The listing hint beside the tombstone of a deleted version. */
  static String deleted(String name, Version version) {
    return tag(form(name), name, DELETED, version);
  }

  /**
   * A version tag or a deletion hint split into its parts; empty for every other tag, and for any tag that is not
   * exactly what this class would write for a name and a version of {@code versionDigits} components.
   */
  static Optional<Parsed> parse(String tag, int versionDigits) {
    int marker = markerIndex(tag);
    if (marker < 0 || tag.length() < marker + 3) {
      return Optional.empty();
    }
    String form = tag.substring(0, marker);
    String text = tag.substring(marker + 2);
    Version version;
    try {
      version = Version.parseCanonical(text);
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty();
    }
    if (version.digits() != versionDigits || !version.toString().equals(text)) {
      return Optional.empty(); // e.g. release_v2 in a registry of three-component versions
    }
    String name = hashed(form) ? null : decode(form);
    if (!hashed(form) && (name == null || !Names.isValidName(name) || !form(name).equals(form))) {
      return Optional.empty();
    }
    return Optional.of(new Parsed(form, name, version, tag.charAt(marker + 1) == 'x'));
  }

  /**
   * Where {@code _v} or {@code _x} follows the form: the first {@code _} that is not an escape in a plain form,
   * right after the hash in a hashed one; -1 when the tag cannot be Arca's.
   */
  private static int markerIndex(String tag) {
    if (hashed(tag)) {
      int end = HASHED.length() + HASH_LENGTH;
      for (int i = HASHED.length(); i < Math.min(end, tag.length()); i++) {
        char c = tag.charAt(i);
        if (!(c >= 'a' && c <= 'z') && !(c >= '2' && c <= '7')) {
          return -1;
        }
      }
      return tag.length() > end && isMarker(tag, end) ? end : -1;
    }
    for (int i = 1; i < tag.length() - 1; i++) {
      if (tag.charAt(i) == '_') {
        char next = tag.charAt(i + 1);
        if (next != 'u' && next != 'c') {
          return isMarker(tag, i) ? i : -1;
        }
        i++;
      }
    }
    return -1;
  }

  private static boolean isMarker(String tag, int at) {
    return tag.startsWith(VERSION, at) || tag.startsWith(DELETED, at);
  }

  /** The name a plain form encodes; null for a hashed form (its name is in the manifest annotations) or a form no name has. */
  static @Nullable String decode(String form) {
    if (hashed(form) || form.startsWith("_")) {
      return null;
    }
    StringBuilder name = new StringBuilder(form.length());
    for (int i = 0; i < form.length(); i++) {
      char c = form.charAt(i);
      if (c != '_') {
        name.append(c);
        continue;
      }
      char escaped = i + 1 < form.length() ? form.charAt(++i) : ' ';
      if (escaped != 'u' && escaped != 'c') {
        return null;
      }
      name.append(escaped == 'u' ? '_' : ':');
    }
    return name.toString();
  }

  /**
   * A version tag's or deletion hint's parts.
   *
   * @param form the name's form
   * @param name the name, or null for a hashed form
   * @param version the version
   * @param deletedHint true for a deletion hint ({@code _x}), false for the version tag ({@code _v})
   */
  record Parsed(String form, @Nullable String name, Version version, boolean deletedHint) {}

  private static String hash(String name) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder out = new StringBuilder(32);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; out.length() < 32; ) {
      if (bits < 5) {
        buffer = (buffer << 8) | (digest[i++] & 0xff);
        bits += 8;
      }
      out.append(BASE32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }
}
