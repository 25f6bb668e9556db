package dev.arca.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.arca.registry.Registry;
import dev.arca.registry.RegistryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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
   * @param readOnly whether writes are refused
   * @param isDefault whether unqualified writes go here (at most one mount)
   */
  public record MountEntry(String name, String uri, boolean readOnly, @JsonProperty("default") boolean isDefault) {

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
      URI parsed = URI.create(uri);
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
          if (SECRET.matcher(option.split("=", 2)[0]).matches()) {
            throw new IllegalArgumentException("mount '" + name + "': uri option '" + option.split("=", 2)[0]
                + "' looks like a secret; secrets never belong in the config file: set them in the environment");
          }
        }
      }
      if (readOnly && isDefault) {
        throw new IllegalArgumentException("mount '" + name + "' is read-only, so it cannot be the default");
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
    ObjectMapper mapper = (fileName.endsWith(".yaml") || fileName.endsWith(".yml") ? YAMLMapper.builder()
        : JsonMapper.builder())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
    try {
      StoreConfig config = mapper.readValue(file.toFile(), StoreConfig.class);
      if (config == null) {
        throw new IllegalArgumentException(file + ": the file is empty");
      }
      return config;
    } catch (UnrecognizedPropertyException e) {
      String property = e.getPropertyName();
      String why = SECRET.matcher(property).matches()
          ? "'" + property + "' looks like a secret; secrets never belong in the config file: set them in the"
              + " environment (e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or the platform's credential chain"
          : "unknown setting '" + property + "'; a mount takes name, uri, readOnly and default";
      throw new IllegalArgumentException(where(file, e.getLocation()) + why, e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where(file, e.getLocation()) + rootMessage(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read store config " + file, e);
    }
  }

  /**
   * Opens every mount's registry and builds the store.
   *
   * @return the store; the caller closes it
   */
  public Store open() {
    Store.Builder builder = Store.builder();
    List<Registry> opened = new java.util.ArrayList<>();
    try {
      for (MountEntry m : mounts) {
        Registry registry;
        try {
          registry = Registry.open(URI.create(m.uri()));
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

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t instanceof JsonProcessingException j ? j.getOriginalMessage() : t.getMessage();
    if (message == null) {
      message = t.getClass().getSimpleName();
    }
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }
}
