package dev.arca.registry;

import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * How a save behaves. Immutable; start from {@link #defaults()} and derive with the {@code with*} methods:
 * {@code SaveOptions.defaults().withMetadata(Map.of("team", "vision")).withOnConflict(OnConflict.SKIP)}.
 *
 * @param onConflict what to do when the version exists
 * @param metadata user metadata recorded in the manifest
 * @param materializer id of the materializer to use, or null to select one by the object's class
 * @param dependsOn keys of the versions this one derives from (lineage)
 * @param progress called, on the saving thread, with the total bytes stored so far; or null
 */
public record SaveOptions(OnConflict onConflict, Map<String, String> metadata, @Nullable String materializer,
    List<String> dependsOn, @Nullable LongConsumer progress) {

  private static final SaveOptions DEFAULTS = new SaveOptions(OnConflict.FAIL, Map.of(), null, List.of(), null);

  /**
   * Copies the collections.
   *
   * @param onConflict see the class description
   * @param metadata see the class description
   * @param materializer see the class description
   * @param dependsOn see the class description
   * @param progress see the class description
   */
  public SaveOptions {
    metadata = Map.copyOf(metadata);
    dependsOn = List.copyOf(dependsOn);
  }

  /**
   * FAIL on conflict, no metadata, materializer chosen by class, no lineage.
   *
   * @return the defaults
   */
  public static SaveOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns these options with another conflict policy.
   *
   * @param policy the policy
   * @return new options
   */
  public SaveOptions withOnConflict(OnConflict policy) {
    return new SaveOptions(policy, metadata, materializer, dependsOn, progress);
  }

  /**
   * Returns these options with user metadata.
   *
   * @param values metadata to record
   * @return new options
   */
  public SaveOptions withMetadata(Map<String, String> values) {
    return new SaveOptions(onConflict, values, materializer, dependsOn, progress);
  }

  /**
   * Returns these options with an explicit materializer.
   *
   * @param id the materializer's id
   * @return new options
   */
  public SaveOptions withMaterializer(String id) {
    return new SaveOptions(onConflict, metadata, id, dependsOn, progress);
  }

  /**
   * Returns these options reporting progress: {@code onBytes} gets the total bytes stored so far, after each write.
   *
   * @param onBytes the callback, run on the saving thread; keep it cheap
   * @return new options
   */
  public SaveOptions withProgress(LongConsumer onBytes) {
    return new SaveOptions(onConflict, metadata, materializer, dependsOn, onBytes);
  }

  /**
   * Returns these options with lineage.
   *
   * @param keys keys of the versions the saved one derives from
   * @return new options
   */
  public SaveOptions withDependsOn(List<String> keys) {
    return new SaveOptions(onConflict, metadata, materializer, keys, progress);
  }
}
