package dev.arca.registry;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/**
 * A version: 1 to {@code digits} numeric components, compared numerically, always held canonical (zero-padded
 * to the registry's number of components, so {@code 1} is {@code 1.0.0} in a three-digit registry).
 *
 * <p>Each component is {@code 0} or a digit 1-9 followed by ASCII digits, at most 18 digits long (at most
 * {@link #MAX_COMPONENT}: the one limit that parsing, {@link #of} and {@link #next()} share). A leading
 * {@code v} is accepted on input only. Signs, underscores, spaces, empty components and non-ASCII digits are
 * refused: {@code +3}, {@code 1_000}, {@code " 4 "} and {@code ٣} are all errors, never quietly accepted.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Version implements Comparable<Version> {

  /** The largest component a version may have: 18 nines. */
  public static final long MAX_COMPONENT = 999_999_999_999_999_999L;

  private static final String RULE = "a version is 1 to %d components separated by '.', each 0 or a"
      + " number without leading zeros of at most 18 ASCII digits, optionally prefixed by 'v' (e.g. 1.0.2)";

  private final long[] parts;

  private Version(long[] parts) {
    this.parts = parts;
  }

  /**
   * Parses and canonicalizes a version.
   *
   * @param text the version as typed, e.g. {@code 1.2}, {@code v1.2.3}
   * @param digits how many components the registry's versions have (1 to 9)
   * @return the canonical version, padded to {@code digits} components
   * @throws IllegalArgumentException naming the rule when {@code text} is not a version
   */
  public static Version parse(String text, int digits) {
    if (digits < 1 || digits > 9) {
      throw new IllegalArgumentException("versionDigits must be 1 to 9, got " + digits);
    }
    String body = text.startsWith("v") ? text.substring(1) : text;
    String[] components = body.split("\\.", -1);
    if (body.isEmpty() || components.length > digits) {
      throw invalid(text, digits);
    }
    long[] parts = new long[digits];
    for (int i = 0; i < components.length; i++) {
      parts[i] = component(components[i], text, digits);
    }
    return new Version(parts);
  }

  /**
   * Parses a stored, already canonical version, taking its number of components from the text.
   *
   * @param text a canonical version such as {@code 1.0.2}
   * @return the version
   * @throws IllegalArgumentException when {@code text} is not a canonical version
   */
  @JsonCreator
  public static Version parseCanonical(String text) {
    int digits = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '.') {
        digits++;
      }
    }
    if (text.startsWith("v") || digits > 9) {
      throw invalid(text, 9);
    }
    return parse(text, digits);
  }

  /**
   * Creates a version from its components.
   *
   * @param components 1 to 9 non-negative components
   * @return the version
   */
  public static Version of(long... components) {
    if (components.length < 1 || components.length > 9) {
      throw new IllegalArgumentException("a version has 1 to 9 components, got " + components.length);
    }
    for (long c : components) {
      if (c < 0 || c > MAX_COMPONENT) {
        throw new IllegalArgumentException("version components are 0 to 18 digits, got " + c);
      }
    }
    return new Version(components.clone());
  }

  /**
   * The first version of a registry whose versions have {@code digits} components: {@code 1.0.0} for 3.
   *
   * @param digits number of components
   * @return the first version
   */
  public static Version first(int digits) {
    long[] parts = new long[digits];
    parts[0] = 1;
    return new Version(parts);
  }

  /**
   * Returns the next version after this one, bumping the last component ({@code 1.0.9 -> 1.0.10}).
   *
   * @return the next version
   * @throws IllegalStateException when the last component is already {@link #MAX_COMPONENT}: the version after it
   *     could not be stored and listed, so the message names an explicit version to save instead
   */
  public Version next() {
    if (parts[parts.length - 1] == MAX_COMPONENT) {
      throw new IllegalStateException("no version follows " + this + " by auto-increment: a version component has"
          + " at most 18 digits. " + nextByHand());
    }
    long[] bumped = parts.clone();
    bumped[bumped.length - 1]++;
    return new Version(bumped);
  }

  /** The fix for a last component at its limit: raise the nearest earlier component that can still grow. */
  private String nextByHand() {
    for (int i = parts.length - 2; i >= 0; i--) {
      if (parts[i] < MAX_COMPONENT) {
        long[] raised = new long[parts.length];
        System.arraycopy(parts, 0, raised, 0, i);
        raised[i] = parts[i] + 1;
        return "Save an explicit version with an earlier component raised, e.g. name@" + new Version(raised)
            + "; auto-increment continues from there";
      }
    }
    return "Every version of this many components is used up: save under another name";
  }

  /**
   * Number of components.
   *
   * @return the number of components
   */
  public int digits() {
    return parts.length;
  }

  /**
   * One component.
   *
   * @param index the component index, from 0
   * @return its value
   */
  public long component(int index) {
    return parts[index];
  }

  @Override
  public int compareTo(Version other) {
    int common = Math.min(parts.length, other.parts.length);
    for (int i = 0; i < common; i++) {
      int c = Long.compare(parts[i], other.parts[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(parts.length, other.parts.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Version v && Arrays.equals(parts, v.parts);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(parts);
  }

  /** Returns the canonical text, e.g. {@code 1.0.2}. */
  @JsonValue
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        out.append('.');
      }
      out.append(parts[i]);
    }
    return out.toString();
  }

  private static long component(String s, String text, int digits) {
    if (s.isEmpty() || s.length() > 18 || (s.length() > 1 && s.charAt(0) == '0')) {
      throw invalid(text, digits);
    }
    long value = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw invalid(text, digits);
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static IllegalArgumentException invalid(String text, int digits) {
    return new IllegalArgumentException(
        "invalid version " + Names.quote(text) + ": " + String.format(RULE, digits));
  }
}
