package dev.arca.registry;

/**
 * One file of a version.
 *
 * @param path relative path inside the version, valid per {@link Names#requirePath(String)}
 * @param size length in bytes
 * @param sha256 lowercase hex sha256 of the bytes
 */
public record FileEntry(String path, long size, String sha256) {

  /**
   * Validates the entry.
   *
   * @param path see the class description
   * @param size see the class description
   * @param sha256 see the class description
   */
  public FileEntry {
    Names.requirePath(path);
    if (size < 0) {
      throw new IllegalArgumentException("negative size for file '" + path + "'");
    }
    if (sha256.length() != 64 || !sha256.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new IllegalArgumentException("sha256 of file '" + path + "' is not 64 lowercase hex digits");
    }
  }
}
