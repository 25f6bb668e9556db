package dev.arca.registry.internal.mvcc;

import dev.arca.registry.Names;
import dev.arca.registry.Version;

/**
 * Where everything lives in a BlobStore (see DESIGN.md, "Storage layout"). Names and paths are percent-encoded,
 * so keys never collide and never leave their folder.
 */
final class Layout {

  static final String SETTINGS = "arca.json";
  static final String META = "meta/";
  static final String OBJECTS = "objects/";
  static final String TAGS = "tags/";
  static final String PROBE = "probe/";
  static final String DELETED_NAMES = "deleted/";
  static final String JSON = ".json";
  static final String DELETED = ".deleted";

  private Layout() {}

  static String versions(String name) {
    return META + Names.encode(name) + "/";
  }

  static String manifest(String name, Version version) {
    return versions(name) + version + JSON;
  }

  /**
   * A listing hint beside a deleted version's tombstone, so listing versions needs no read of each manifest.
   * The tombstone is the truth; a hint missing after a crash is written again by the janitor.
   */
  static String deletedHint(String name, Version version) {
    return versions(name) + version + DELETED;
  }

  /** A hint that a version of {@code name} was deleted: listing names then checks that it has one left. */
  static String deletedName(String name) {
    return DELETED_NAMES + Names.encode(name);
  }

  static String attempts(String name) {
    return OBJECTS + Names.encode(name) + "/";
  }

  static String attempt(String name, String uuid) {
    return attempts(name) + uuid + "/";
  }

  static String file(String name, String uuid, String path) {
    return attempt(name, uuid) + Names.encodePath(path);
  }

  static String tags(String name) {
    return TAGS + Names.encode(name) + "/";
  }

  static String tag(String name, String tag) {
    return tags(name) + tag + JSON;
  }

  /** The last segment of a key or a prefix, without a trailing '/' or '.json'. */
  static String leaf(String keyOrPrefix) {
    String s = keyOrPrefix.endsWith("/") ? keyOrPrefix.substring(0, keyOrPrefix.length() - 1) : keyOrPrefix;
    s = s.substring(s.lastIndexOf('/') + 1);
    return s.endsWith(JSON) ? s.substring(0, s.length() - JSON.length()) : s;
  }
}
