package dev.arca.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A store's mounts, as written in a YAML ({@code .yaml}, {@code .yml}) or JSON file:
 *
 * <pre>{@code
 * mounts:
 *   - name: models
 *     uri: s3://ml-bucket/models?region=eu-west-1
 *     default: true
 *   - name: shared
 *     uri: file:///srv/arca/shared
 *     readOnly: true
 * }</pre>
 *
 * <p>Secrets never go in the file: a setting or URI parameter that looks like one, or credentials in a URI, is
 * refused. Backends take them from the environment or the platform's credential chain. Errors name the file and
 * the line.
 *
 * @param mounts the mounts, in order
 */
public record StoreConfig(List<MountEntry> mounts) {

  private static final Pattern SECRET = Pattern.compile(
      "(?i).*(secret|password|passwd|token|credential|accesskey|access_key|apikey|api_key).*");

  /**
   * One mount.
   *
   * @param name the mount's name
   * @param uri where its registry is, e.g. {@code file:///srv/arca}, {@code s3://bucket/prefix}
   * @param readOnly whether writes are refused: the registry is opened read-only, so it is never written (no
   *     settings, no probe), and a location holding no registry fails the open
   * @param isDefault whether unqualified writes go here (at most one mount)
   */
  public record MountEntry(String name, String uri, boolean readOnly, boolean isDefault) {

    /**
     * Validates the entry.
     *
     * @param name see the record description
     * @param uri see the record description
     * @param readOnly see the record description
     * @param isDefault see the record description
     */
    public MountEntry {
      if (name == null) {
        throw new IllegalArgumentException("a mount needs a name");
      }
      StoreKey.requireMountName(name);
      if (uri == null || uri.isBlank()) {
        throw new IllegalArgumentException("mount '" + name + "' needs a uri");
      }
      checkUri(name, uri);
      if (readOnly && isDefault) {
        throw new IllegalArgumentException("mount '" + name + "' is read-only, so it cannot be the default");
      }
    }
  }

  /** Refuses a URI without a scheme, or carrying anything that looks like a secret. */
  static void checkUri(String name, String uri) {
    URI parsed;
    try {
      parsed = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("mount '" + name + "': uri is malformed: " + e.getMessage());
    }
    if (parsed.getScheme() == null) {
      throw new IllegalArgumentException("mount '" + name + "': uri '" + uri + "' has no scheme (file:, s3:, gs:,"
          + " oci:)");
    }
    if (parsed.getRawUserInfo() != null) {
      throw new IllegalArgumentException("mount '" + name + "': the uri carries credentials; secrets never belong"
          + " in the config file: set them in the environment");
    }
    String query = parsed.getRawQuery();
    if (query != null) {
      for (String option : query.split("&")) {
        String key = option.split("=", 2)[0];
        if (SECRET.matcher(key).matches()) {
          throw new IllegalArgumentException("mount '" + name + "': uri option '" + key + "' looks like a secret;"
              + " secrets never belong in the config file: set them in the environment");
        }
      }
    }
  }

  /**
   * Validates the list.
   *
   * @param mounts see the record description
   */
  public StoreConfig {
    if (mounts == null) {
      throw new IllegalArgumentException("the config has no 'mounts' list");
    }
    Set<String> names = new HashSet<>();
    int defaults = 0;
    for (MountEntry m : mounts) {
      if (!names.add(m.name()) || m.name().equals(Store.TEMP)) {
        throw new IllegalArgumentException("mount '" + m.name() + "' is named twice (temp is always there)");
      }
      defaults += m.isDefault() ? 1 : 0;
    }
    if (defaults > 1) {
      throw new IllegalArgumentException("more than one mount is marked default");
    }
    mounts = List.copyOf(mounts);
  }

  /**
   * Reads a config file.
   *
   * @param file a {@code .yaml}, {@code .yml} or {@code .json} file
   * @return the config
   * @throws IllegalArgumentException naming the file and line of a bad entry
   */
  public static StoreConfig read(Path file) {
    String fileName = file.getFileName().toString().toLowerCase(Locale.ROOT);
    JsonFactory factory = fileName.endsWith(".yaml") || fileName.endsWith(".yml") ? new YAMLFactory()
        : new JsonFactory();
    try (JsonParser p = factory.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(where(file, p.currentTokenLocation()) + "expected a map with a 'mounts' list");
      }
      List<MountEntry> mounts = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonLocation at = p.currentTokenLocation();
        if (!field.equals("mounts")) {
          throw new IllegalArgumentException(where(file, at) + unknown(field, "the file takes a 'mounts' list"));
        }
        if (p.nextToken() != JsonToken.START_ARRAY) {
          throw new IllegalArgumentException(where(file, p.currentTokenLocation()) + "'mounts' must be a list");
        }
        mounts = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
          mounts.add(readEntry(p, file));
        }
      }
      try {
        return new StoreConfig(mounts);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where(file, e.getLocation()) + e.getOriginalMessage().split("\n")[0], e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read store config " + file, e);
    }
  }

  /** Reads one flat mount entry; errors point at the offending setting, or at the entry. */
  private static MountEntry readEntry(JsonParser p, Path file) throws IOException {
    JsonLocation start = p.currentTokenLocation();
    Map<String, String> values = new HashMap<>();
    JsonLocation uriAt = start;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonLocation at = p.currentTokenLocation();
      if (field.equals("uri")) {
        uriAt = at;
      }
      if (!Set.of("name", "uri", "readOnly", "default").contains(field)) {
        throw new IllegalArgumentException(where(file, at) + unknown(field, "a mount takes name, uri, readOnly and"
            + " default"));
      }
      JsonToken value = p.nextToken();
      if (!value.isScalarValue()) {
        throw new IllegalArgumentException(where(file, at) + "'" + field + "' must be a single value");
      }
      values.put(field, p.getValueAsString());
    }
    try {
      if (values.get("name") != null && values.get("uri") != null) {
        checkUri(values.get("name"), values.get("uri"));
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where(file, uriAt) + e.getMessage(), e);
    }
    try {
      return new MountEntry(values.get("name"), values.get("uri"), flag(values, "readOnly"), flag(values, "default"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where(file, start) + e.getMessage(), e);
    }
  }

  private static boolean flag(Map<String, String> values, String name) {
    String v = values.get(name);
    if (v == null || v.equals("false")) {
      return false;
    }
    if (v.equals("true")) {
      return true;
    }
    throw new IllegalArgumentException("'" + name + "' must be true or false, got '" + v + "'");
  }

  private static String unknown(String field, String known) {
    return SECRET.matcher(field).matches()
        ? "'" + field + "' looks like a secret; secrets never belong in the config file: set them in the"
            + " environment (e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or the platform's credential chain"
        : "unknown setting '" + field + "'; " + known;
  }

  /**
   * Opens every mount's registry and builds the store.
   *
   * @return the store; the caller closes it
   */
  public Store open() {
    Store.Builder builder = Store.builder();
    List<Registry> opened = new ArrayList<>();
    try {
      for (MountEntry m : mounts) {
        Registry registry;
        try {
          registry = Registry.builder().uri(URI.create(m.uri())).readOnly(m.readOnly()).build();
        } catch (RegistryException | IllegalArgumentException e) {
          throw new RegistryException("mount '" + m.name() + "' (" + m.uri() + "): " + e.getMessage(), e, false);
        }
        opened.add(registry);
        builder.mount(m.name(), registry, m.readOnly());
        if (m.isDefault()) {
          builder.defaultMount(m.name());
        }
      }
      return builder.build();
    } catch (RuntimeException e) {
      opened.forEach(Registry::close);
      throw e;
    }
  }

  private static String where(Path file, JsonLocation location) {
    return location == null || location.getLineNr() < 0 ? file + ": "
        : file + " line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }


}
