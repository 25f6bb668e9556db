package dev.arca.registry;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of a batch call: one {@link Item} per input, in input order. A batch never throws for one
 * item's failure; the item carries it.
 *
 * @param items one result per input, in input order
 * @param <T> the per-item value: a manifest for saves, the loaded object for loads, a boolean for deletes
 */
public record BatchResult<T>(List<Item<T>> items) {

  /**
   * Copies the list.
   *
   * @param items see the class description
   */
  public BatchResult {
    items = List.copyOf(items);
  }

  /** How one item ended. */
  public enum Status {
    /** Done. */
    OK,
    /** Left as it was (SKIP on an existing version). */
    SKIPPED,
    /** Failed; {@link Item#error()} says why. */
    FAILED
  }

  /**
   * One item's result.
   *
   * @param key the key as given
   * @param status how it ended
   * @param value the result, null when failed
   * @param error the failure, null unless failed
   * @param <T> the value type
   */
  public record Item<T>(String key, Status status, @Nullable T value, @Nullable RegistryException error) {

    /**
     * A failed item; an error that is not a {@link RegistryException} is wrapped in one, keeping it as the cause.
     *
     * @param key the key as given
     * @param error what the item threw
     * @param <T> the value type
     * @return the item
     */
    public static <T> Item<T> failed(String key, RuntimeException error) {
      RegistryException wrapped = error instanceof RegistryException r ? r
          : new RegistryException(error.getMessage() != null ? error.getMessage() : error.toString(), error, false);
      return new Item<>(key, Status.FAILED, null, wrapped);
    }
  }

  /**
   * Items that succeeded.
   *
   * @return the OK items, in input order
   */
  public List<Item<T>> succeeded() {
    return withStatus(Status.OK);
  }

  /**
   * Items left as they were.
   *
   * @return the SKIPPED items, in input order
   */
  public List<Item<T>> skipped() {
    return withStatus(Status.SKIPPED);
  }

  /**
   * Items that failed.
   *
   * @return the FAILED items, in input order
   */
  public List<Item<T>> failed() {
    return withStatus(Status.FAILED);
  }

  /**
   * Whether no item failed.
   *
   * @return true when every item is OK or SKIPPED
   */
  public boolean allSucceeded() {
    return items.stream().noneMatch(i -> i.status() == Status.FAILED);
  }

  /**
   * The failures by key.
   *
   * @return key to exception, for failed items
   */
  public Map<String, RegistryException> errors() {
    return failed().stream().collect(Collectors.toMap(Item::key, i -> {
      RegistryException e = i.error();
      return e != null ? e : new RegistryException("failed");
    }, (a, b) -> a, java.util.LinkedHashMap::new));
  }

  /**
   * The values of the items that succeeded or were skipped, by key.
   *
   * @return key to value, in input order
   */
  public Map<String, T> values() {
    return items.stream().filter(i -> i.value() != null)
        .collect(Collectors.toMap(Item::key, i -> java.util.Objects.requireNonNull(i.value()), (a, b) -> a,
            java.util.LinkedHashMap::new));
  }

  private List<Item<T>> withStatus(Status status) {
    return items.stream().filter(i -> i.status() == status).collect(Collectors.toUnmodifiableList());
  }

}
