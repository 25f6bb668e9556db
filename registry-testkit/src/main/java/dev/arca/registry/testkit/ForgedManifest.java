package dev.arca.registry.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.Names;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What an attacker who can write a registry's storage does: edit a committed manifest and recompute its digest
 * (the digest has no key, so anyone can). Tests use it to check that the library's own checks, not the digest,
 * refuse what a manifest must not make it do.
 */
public final class ForgedManifest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ForgedManifest() {}

  /**
   * Edits the stored manifest of {@code name@version} in a local ({@code file:}) registry directory, in place,
   * with a recomputed digest.
   *
   * @param registryRoot the registry's directory
   * @param name the object name (short enough to be stored as one path segment)
   * @param version the canonical version, e.g. {@code 1.0.0}
   * @param edit changes the manifest's fields (the object holding {@code files}, {@code params}, ...)
   * @throws IOException when the manifest cannot be read or written
   */
  public static void rewrite(Path registryRoot, String name, String version, Consumer<ObjectNode> edit)
      throws IOException {
    Path file = registryRoot.resolve("meta").resolve(Names.encode(name)).resolve(version + ".json");
    ObjectNode document = (ObjectNode) JSON.readTree(Files.readAllBytes(file));
    ObjectNode manifest = manifestOf(document);
    edit.accept(manifest);
    manifest.put("digest", digestOf(manifest));
    Files.write(file, JSON.writeValueAsBytes(document));
  }

  /**
   * The manifest fields inside a stored manifest document.
   *
   * @param document the stored document
   * @return the object holding the manifest's fields
   */
  public static ObjectNode manifestOf(ObjectNode document) {
    return document.has("manifest") ? (ObjectNode) document.get("manifest") : document;
  }

  /**
   * The digest a manifest would carry if its fields were as stated; when its file list is itself invalid
   * (which the library refuses on parsing), the recorded digest unchanged.
   *
   * @param manifest the manifest's fields
   * @return the lowercase hex digest
   */
  public static String digestOf(ObjectNode manifest) {
    try {
      List<FileEntry> files = new ArrayList<>();
      for (JsonNode f : manifest.get("files")) {
        files.add(new FileEntry(f.get("path").asText(), f.get("size").asLong(), f.get("sha256").asText()));
      }
      return Manifest.computeDigest(manifest.get("objectClass").asText(), manifest.get("materializer").asText(),
          manifest.get("formatVersion").asInt(), stringMap(manifest.get("params")),
          stringMap(manifest.get("metadata")), files);
    } catch (IllegalArgumentException invalidPath) {
      return manifest.get("digest").asText(); // FileEntry itself refuses the path: nothing to recompute
    }
  }

  private static Map<String, String> stringMap(JsonNode node) {
    Map<String, String> map = new TreeMap<>();
    node.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
    return map;
  }
}
