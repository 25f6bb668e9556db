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
 *   <li>version {@code V} of a name: {@code form + "_v" + V} (e.g. {@code my-model_v1.0.2});
 *   <li>the tags (aliases) of a name: {@code form + "_t"}, one document holding all of them;
 *   <li>registry settings: {@code _arca.settings}.
 * </ul>
 * A version longer than the tag has room for (46 characters after a plain form, 92 after a hashed one) is
 * refused with a clear error, never truncated.
 */
final class OciTags {

  static final int MAX_TAG = 128;
  static final int PLAIN_LIMIT = 80;
  static final String SETTINGS = "_arca.settings";
  private static final String HASHED = "_h";
  private static final String VERSION = "_v";
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
    String tag = form(name) + VERSION + version;
    if (tag.length() > MAX_TAG) {
      throw new IllegalArgumentException("version " + version + " of '" + name + "' does not fit an OCI tag ("
          + MAX_TAG + " characters, " + (MAX_TAG - form(name).length() - VERSION.length()) + " left for the"
          + " version): use a shorter version");
    }
    return tag;
  }

  static String aliases(String name) {
    return form(name) + ALIASES;
  }

  /** A version tag split into the name's form and the version; empty for every other tag. */
  static Optional<Parsed> parseVersion(String tag) {
    if (tag.startsWith("_") && !hashed(tag)) {
      return Optional.empty(); // reserved
    }
    int at = tag.indexOf(VERSION, hashed(tag) ? HASHED.length() : 0);
    if (at <= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Parsed(tag.substring(0, at), Version.parseCanonical(tag.substring(at + VERSION.length()))));
    } catch (IllegalArgumentException notOurs) {
      return Optional.empty(); // a tag someone else pushed into the repository
    }
  }

  /** The name a plain form encodes, or null for a hashed form (its name is in the manifest annotations). */
  static @Nullable String decode(String form) {
    if (hashed(form)) {
      return null;
    }
    StringBuilder name = new StringBuilder(form.length());
    for (int i = 0; i < form.length(); i++) {
      char c = form.charAt(i);
      if (c == '_' && i + 1 < form.length()) {
        char escaped = form.charAt(++i);
        name.append(switch (escaped) {
          case 'u' -> '_';
          case 'c' -> ':';
          default -> throw new IllegalArgumentException("not an Arca tag: " + form);
        });
      } else {
        name.append(c);
      }
    }
    return name.toString();
  }

  /** A version tag's parts. */
  record Parsed(String form, Version version) {}

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
