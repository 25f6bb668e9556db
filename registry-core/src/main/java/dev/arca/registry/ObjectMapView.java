package dev.arca.registry;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A live {@link java.util.Map} view of stored objects: keys are names, values the latest version of each, loaded
 * when read. {@code put} saves a new version and returns null (nothing is replaced); {@code remove} deletes every
 * version and returns the latest value. Iteration lists the keys once, when it starts. {@link Registry#asMap()}
 * and the Store's {@code asMap()} return one. Thread-safe as its source is.
 */
public final class ObjectMapView extends AbstractMap<String, Object> {

  /** What a view reads and writes through. */
  public interface Source {
    /**
     * The view's keys, sorted.
     *
     * @return the names
     */
    List<String> keys();

    /**
     * Whether a string is a well-formed key (a malformed one is simply absent from the map).
     *
     * @param key the candidate
     * @return true when it parses
     */
    boolean isKey(String key);

    /**
     * Whether a key resolves to a stored version.
     *
     * @param key a well-formed key
     * @return true when it does
     */
    boolean exists(String key);

    /**
     * Loads the latest version (or the version the key names).
     *
     * @param key a well-formed key
     * @return the object
     * @throws ObjectNotFoundException when absent
     */
    Object load(String key);

    /**
     * Saves a new version.
     *
     * @param key a well-formed key
     * @param value the object
     */
    void save(String key, Object value);

    /**
     * Deletes every version.
     *
     * @param key a well-formed key
     * @return true when something was deleted
     */
    boolean remove(String key);
  }

  private final Source source;

  /**
   * Creates a view.
   *
   * @param source what it reads and writes through
   */
  public ObjectMapView(Source source) {
    this.source = source;
  }

  /**
   * Creates a view from the operations of a key space, e.g.
   * {@code ObjectMapView.of(registry::names, ObjectKey::isKey, registry::exists, registry::load, registry::save,
   * registry::remove)}.
   *
   * @param keys lists the keys, sorted
   * @param isKey tells whether a string is a well-formed key
   * @param exists tells whether a key resolves
   * @param load loads a key's latest value, throwing {@link ObjectNotFoundException} when absent
   * @param save saves a new version
   * @param remove deletes every version, telling whether something was deleted
   * @return the view
   */
  public static ObjectMapView of(Supplier<List<String>> keys, Predicate<String> isKey, Predicate<String> exists,
      Function<String, Object> load, BiConsumer<String, Object> save, Predicate<String> remove) {
    return new ObjectMapView(new Source() {
      @Override
      public List<String> keys() {
        return keys.get();
      }

      @Override
      public boolean isKey(String key) {
        return isKey.test(key);
      }

      @Override
      public boolean exists(String key) {
        return exists.test(key);
      }

      @Override
      public Object load(String key) {
        return load.apply(key);
      }

      @Override
      public void save(String key, Object value) {
        save.accept(key, value);
      }

      @Override
      public boolean remove(String key) {
        return remove.test(key);
      }
    });
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        Iterator<String> keys = source.keys().iterator();
        return new Iterator<>() {
          private @Nullable String last;

          @Override
          public boolean hasNext() {
            return keys.hasNext();
          }

          @Override
          public Entry<String, Object> next() {
            last = keys.next();
            return new LazyEntry(last);
          }

          @Override
          public void remove() {
            if (last == null) {
              throw new IllegalStateException("next() first");
            }
            source.remove(last);
            last = null;
          }
        };
      }

      @Override
      public int size() {
        return source.keys().size();
      }
    };
  }

  @Override
  public int size() {
    return source.keys().size();
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String k && source.isKey(k) && source.exists(k);
  }

  @Override
  public @Nullable Object get(Object key) {
    if (!(key instanceof String k) || !source.isKey(k)) {
      return null;
    }
    try {
      return source.load(k);
    } catch (ObjectNotFoundException e) {
      return null;
    }
  }

  /** Saves a new version; returns null, since no value is replaced. */
  @Override
  public @Nullable Object put(String key, Object value) {
    source.save(key, value);
    return null;
  }

  @Override
  public @Nullable Object remove(Object key) {
    Object previous = get(key);
    if (previous != null) {
      source.remove((String) key);
    }
    return previous;
  }

  private final class LazyEntry implements Entry<String, Object> {
    private final String key;

    LazyEntry(String key) {
      this.key = key;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public Object getValue() {
      Object value = get(key);
      if (value == null) {
        throw new NoSuchElementException(key + " was deleted after iteration began");
      }
      return value;
    }

    @Override
    public Object setValue(Object value) {
      source.save(key, value);
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry<?, ?> e && key.equals(e.getKey()) && getValue().equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ getValue().hashCode();
    }
  }
}
