package dev.arca.registry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything recorded about one committed version. Creating the manifest is the commit: a version exists
 * exactly when its manifest does.
 *
 * <p>{@code digest} is a sha256 over the content-defining fields (object class, materializer, format version,
 * params, user metadata and the file list), each length-prefixed so no two different manifests share an
 * encoding. It leaves out name, version, uuid and times, so a copy to another registry keeps its digest and
 * equal content has an equal digest.
 *
 * @param schema manifest schema version, {@link #SCHEMA} when written by this library
 * @param name object name
 * @param version the committed version
 * @param objectClass the saved object's class name
 * @param materializer id of the materializer that wrote the files
 * @param formatVersion that materializer's format version
 * @param params init params the materializer recorded, handed back on load
 * @param metadata user metadata
 * @param files the files, sorted by path
 * @param digest sha256 over the fields above, see {@link #computeDigest}
 * @param size total bytes of all files
 * @param uuid the write attempt that holds the files
 * @param createdAt commit time
 * @param createdBy the writing process's user
 * @param dependsOn keys of the versions this one was derived from (lineage), may be empty
 */
public record Manifest(
    int schema,
    String name,
    Version version,
    String objectClass,
    String materializer,
    int formatVersion,
    Map<String, String> params,
    Map<String, String> metadata,
    List<FileEntry> files,
    String digest,
    long size,
    String uuid,
    Instant createdAt,
    String createdBy,
    List<String> dependsOn) {

  /** The manifest schema this library writes and reads. */
  public static final int SCHEMA = 1;

  /** The id of the built-in materializer of files and trees, whose params {@link #isTree()} reads. */
  private static final String PATH_MATERIALIZER = "arca.path";

  /**
   * Validates and copies: files sorted by path with no duplicate, maps sorted and unmodifiable.
   *
   * @param schema see the class description
   * @param name see the class description
   * @param version see the class description
   * @param objectClass see the class description
   * @param materializer see the class description
   * @param formatVersion see the class description
   * @param params see the class description
   * @param metadata see the class description
   * @param files see the class description
   * @param digest see the class description
   * @param size see the class description
   * @param uuid see the class description
   * @param createdAt see the class description
   * @param createdBy see the class description
   * @param dependsOn see the class description
   */
  public Manifest {
    // Stored manifests come from storage others may write: every field is required, so a hostile or truncated
    // document fails here, as malformed, rather than later as a NullPointerException.
    for (Object field : new Object[] {name, version, objectClass, materializer, params, metadata, files, digest, uuid,
        createdAt, createdBy, dependsOn}) {
      java.util.Objects.requireNonNull(field, "a manifest field is missing");
    }
    if (schema < 1 || schema > SCHEMA) {
      throw new IllegalArgumentException("manifest schema " + schema + " is not supported by this version of"
          + " Arca (it reads 1 to " + SCHEMA + "); upgrade Arca to read it");
    }
    Names.requireName(name);
    params = Collections.unmodifiableMap(new TreeMap<>(params));
    metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    List<FileEntry> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(FileEntry::path));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
        throw new IllegalArgumentException("duplicate file path '" + sorted.get(i).path() + "' in " + name);
      }
    }
    files = List.copyOf(sorted);
    dependsOn = List.copyOf(dependsOn);
  }

  /**
   * Tells whether {@link #digest()} matches the content fields, i.e. the manifest was not altered.
   *
   * @return true when the recorded digest is the computed one
   */
  public boolean digestMatches() {
    return digest.equals(computeDigest(objectClass, materializer, formatVersion, params, metadata, files));
  }

  /**
   * Tells whether this version is a directory tree saved from a {@code Path}: load it with
   * {@code loadInto}. Otherwise it is one file saved from a {@code Path}, or a value.
   *
   * @return true for a directory tree
   */
  public boolean isTree() {
    return PATH_MATERIALIZER.equals(materializer) && "dir".equals(params.get("kind"));
  }

  /**
   * The name for this version's one file when written into a directory: the name the file had when saved from a
   * {@code Path}, else the object name. Checked here because the manifest may be forged: only one plain path
   * segment is accepted.
   *
   * @throws IntegrityException when the manifest names anything else
   */
  String savedFileName() {
    String saved = PATH_MATERIALIZER.equals(materializer) ? params.getOrDefault("fileName", name) : name;
    try {
      if (!saved.contains("/")) {
        return Names.requirePath(saved);
      }
    } catch (IllegalArgumentException invalid) {
      // refused below
    }
    throw new IntegrityException("manifest of " + name + "@" + version + " names its file '" + saved + "', which is"
        + " not a plain file name (one path segment, not '.' or '..'): it was altered or written by something else;"
        + " name the file to write instead, with loadFile(key, file)");
  }

  /**
   * Finds a file by path.
   *
   * @param path the file's path
   * @return the entry
   * @throws ObjectNotFoundException when this version has no such file
   */
  public FileEntry file(String path) {
    for (FileEntry f : files) {
      if (f.path().equals(path)) {
        return f;
      }
    }
    throw new ObjectNotFoundException(name + "@" + version + " has no file '" + path + "'");
  }

  /**
   * Returns this manifest with another name, version, uuid and commit time, as a copy between registries
   * records it. Content and digest are unchanged.
   *
   * @param version the version to commit as
   * @param uuid the write attempt holding the files
   * @param createdAt the commit time
   * @return the new manifest
   */
  public Manifest withCommit(Version version, String uuid, Instant createdAt) {
    return new Manifest(schema, name, version, objectClass, materializer, formatVersion, params, metadata, files,
        digest, size, uuid, createdAt, createdBy, dependsOn);
  }

  /**
   * Computes the content digest: sha256 over a length-prefixed encoding of the arguments, with maps and files
   * in sorted order.
   *
   * @param objectClass the saved object's class name
   * @param materializer the materializer id
   * @param formatVersion the materializer's format version
   * @param params materializer init params
   * @param metadata user metadata
   * @param files the files
   * @return lowercase hex sha256
   */
  public static String computeDigest(String objectClass, String materializer, int formatVersion,
      Map<String, String> params, Map<String, String> metadata, List<FileEntry> files) {
    DigestWriter out = new DigestWriter();
    out.string("arca-manifest-digest-v1");
    out.string(objectClass);
    out.string(materializer);
    out.number(formatVersion);
    out.map(params);
    out.map(metadata);
    List<FileEntry> sorted = new ArrayList<>(files);
    sorted.sort(Comparator.comparing(FileEntry::path));
    out.number(sorted.size());
    for (FileEntry f : sorted) {
      out.string(f.path());
      out.number(f.size());
      out.string(f.sha256());
    }
    return out.hex();
  }

  /** Length-prefixed encoding fed to sha256, so no two field sequences encode alike. */
  private static final class DigestWriter {
    private final MessageDigest sha;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);

    DigestWriter() {
      try {
        sha = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("the JDK has no SHA-256", e);
      }
    }

    void number(long n) {
      buffer.writeBytes(ByteBuffer.allocate(8).putLong(n).array());
    }

    void string(String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      number(bytes.length);
      buffer.writeBytes(bytes);
    }

    void map(Map<String, String> map) {
      Map<String, String> sorted = new TreeMap<>(map);
      number(sorted.size());
      sorted.forEach((k, v) -> {
        string(k);
        string(v);
      });
    }

    String hex() {
      return HexFormat.of().formatHex(sha.digest(buffer.toByteArray()));
    }
  }
}
