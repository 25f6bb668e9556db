package dev.arca.registry;

import java.util.regex.Pattern;

/**
 * The grammar of object names, tags and file paths, and the injective encoding names are stored under.
 *
 * <p>A name is 1 to 200 characters: a letter or digit, then letters, digits, {@code .}, {@code _}, {@code :}
 * or {@code -}. It never holds {@code /} (reserved for Store mounts), {@code @} (versions) or {@code #} (tags),
 * so no name can address anything outside its own folder. Stored keys percent-encode every character outside
 * {@code [A-Za-z0-9._-]}, which makes the encoding reversible and collision-free: {@code a:b} is stored as
 * {@code a%3Ab}, and {@code a%3Ab} itself is not a valid name.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class Names {

  /** The longest valid name, in characters. */
  public static final int MAX_NAME_LENGTH = 200;

  /** The longest valid tag, in characters. */
  public static final int MAX_TAG_LENGTH = 64;

  /** The longest valid file path inside a version, in characters. */
  public static final int MAX_PATH_LENGTH = 512;

  private static final String NAME_RULE =
      "a name is 1 to 200 characters of [A-Za-z0-9._:-] starting with a letter or digit";
  private static final String TAG_RULE =
      "a tag is 1 to 64 characters of [A-Za-z0-9._-] starting with a letter, and not 'latest'";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
  private static final Pattern TAG = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}");
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private Names() {}

  /**
   * Returns {@code name} if it is a valid object name.
   *
   * @param name the candidate name
   * @return the same name
   * @throws IllegalArgumentException naming the rule when it is not valid
   */
  public static String requireName(String name) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException("invalid name " + quote(name) + ": " + NAME_RULE);
    }
    return name;
  }

  /**
   * Tells whether {@code name} is a valid object name.
   *
   * @param name the candidate name, may be anything
   * @return true when it follows the name grammar
   */
  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * Returns {@code tag} if it is a valid tag.
   *
   * @param tag the candidate tag
   * @return the same tag
   * @throws IllegalArgumentException naming the rule when it is not valid
   */
  public static String requireTag(String tag) {
    if (!TAG.matcher(tag).matches() || tag.equals("latest")) {
      throw new IllegalArgumentException("invalid tag " + quote(tag) + ": " + TAG_RULE);
    }
    return tag;
  }

  /**
   * Returns {@code path} if it is a valid relative file path inside a version.
   *
   * <p>A path is 1 to 512 characters of segments separated by {@code /}: no empty segment, no {@code .} or
   * {@code ..} segment, no backslash, no control character, no leading {@code /}. Such a path can never
   * resolve outside the directory it is placed in.
   *
   * @param path the candidate path
   * @return the same path
   * @throws IllegalArgumentException naming the rule when it is not valid
   */
  public static String requirePath(String path) {
    String problem = pathProblem(path);
    if (problem != null) {
      throw new IllegalArgumentException("invalid file path " + quote(path) + ": " + problem);
    }
    return path;
  }

  private static @org.jspecify.annotations.Nullable String pathProblem(String path) {
    if (path.isEmpty() || path.length() > MAX_PATH_LENGTH) {
      return "a path is 1 to " + MAX_PATH_LENGTH + " characters";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return "control characters and backslashes are not allowed";
      }
      if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
        i++; // a valid pair: one code point
      } else if (Character.isSurrogate(c)) {
        return "a path must be valid Unicode (it holds an unpaired surrogate)";
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "segments separated by '/' must be non-empty and not '.' or '..'";
      }
    }
    return null;
  }

  /**
   * Encodes a string for use as one segment of a storage key: every UTF-8 byte outside {@code [A-Za-z0-9._-]}
   * becomes {@code %XX}. The result is never {@code .} or {@code ..} for a valid name or path segment.
   *
   * @param segment any string
   * @return its encoding, reversible with {@link #decode(String)}
   */
  public static String encode(String segment) {
    StringBuilder out = null;
    byte[] bytes = null;
    for (int i = 0; i < segment.length(); i++) {
      if (!isUnreserved(segment.charAt(i))) {
        bytes = segment.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out = new StringBuilder(bytes.length * 3);
        break;
      }
    }
    if (bytes == null) {
      return segment;
    }
    for (byte b : bytes) {
      char c = (char) (b & 0xff);
      if (isUnreserved(c)) {
        out.append(c);
      } else {
        out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
      }
    }
    return out.toString();
  }

  /**
   * Reverses {@link #encode(String)}.
   *
   * @param encoded an encoded segment
   * @return the original string
   * @throws IllegalArgumentException when {@code encoded} is not the output of {@link #encode(String)}
   */
  public static String decode(String encoded) {
    if (encoded.indexOf('%') < 0) {
      return encoded;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(encoded.length());
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c != '%') {
        bytes.write(c);
        continue;
      }
      if (i + 2 >= encoded.length()) {
        throw new IllegalArgumentException("truncated escape in stored key segment " + quote(encoded));
      }
      int hi = Character.digit(encoded.charAt(i + 1), 16);
      int lo = Character.digit(encoded.charAt(i + 2), 16);
      if (hi < 0 || lo < 0) {
        throw new IllegalArgumentException("bad escape in stored key segment " + quote(encoded));
      }
      bytes.write(hi << 4 | lo);
      i += 2;
    }
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * Encodes a file path segment by segment, keeping its {@code /} separators.
   *
   * @param path a valid path (see {@link #requirePath(String)})
   * @return the encoded path
   */
  public static String encodePath(String path) {
    String[] segments = path.split("/", -1);
    StringBuilder out = new StringBuilder(path.length() + 8);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(segments[i]));
    }
    return out.toString();
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('\'');
    s.codePoints().limit(80).forEach(cp -> {
      if (cp < 0x20 || cp == 0x7f) {
        out.append(String.format("\\u%04x", cp));
      } else {
        out.appendCodePoint(cp);
      }
    });
    if (s.codePointCount(0, s.length()) > 80) {
      out.append("...");
    }
    return out.append('\'').toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }
}
