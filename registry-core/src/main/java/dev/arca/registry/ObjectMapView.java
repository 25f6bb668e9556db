package dev.arca.registry;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A live {@link java.util.Map} view of stored objects: keys are the names the view iterates (exactly those, so a
 * key with a version or a tag is never contained), values the latest version of each, loaded when read.
 * {@link Registry#asMap()} and the Store's {@code asMap()} return one.
 *
 * <h2>The contract it keeps</h2>
 * It is a {@link Map} by the book, checked by Guava testlib's {@code MapTestSuiteBuilder} with these features:
 * put, remove, iterator remove, any size. Not claimed, on purpose: null keys and null values (a name is never
 * null and nothing stores a null; both are {@link NullPointerException}), and a known iteration order (keys come
 * sorted, but the view promises nothing another process's writes could break). A key outside the view's form
 * ({@code name@1.0.0}, {@code name#prod}, a malformed name) is simply absent; putting one is an
 * {@link IllegalArgumentException}.
 *
 * <h2>Costs</h2>
 * {@code put}, {@code replace} and {@code remove} return the previous value, so each first loads the latest
 * version: use {@code Registry.put} (one save) where the previous value is not wanted. {@code size} lists the
 * names; iteration lists them once, when it starts, and loads a value only when an entry's value is asked for
 * (once per entry). Equality and hash codes of the map and its entries load every value they compare.
 *
 * <h2>Values that would be files</h2>
 * An object saved from a {@code Path} (a file or a directory tree) reads through the view as its {@link Manifest}:
 * loading it would write files that nothing in a map view could ever delete, so a value read through the view
 * leaves nothing behind. Load such a value with {@code loadInto} or {@code loadFile}.
 *
 * <p>Thread-safe as its source is; concurrent writers make sizes and iterations snapshots, not atomic views.
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
     * Whether a string has the form of the view's keys (the form {@link #keys()} returns); anything else is
     * absent from the map.
     *
     * @param key the candidate
     * @return true when it has that form
     */
    boolean isKey(String key);

    /**
     * Whether a key resolves to a stored version.
     *
     * @param key a key of the view's form
     * @return true when it does
     */
    boolean exists(String key);

    /**
     * Loads the latest version as the view shows it (see the class description: a file or a tree as its
     * manifest).
     *
     * @param key a key of the view's form
     * @return the object
     * @throws ObjectNotFoundException when absent
     */
    Object load(String key);

    /**
     * Saves a new version.
     *
     * @param key a key of the view's form
     * @param value the object
     */
    void save(String key, Object value);

    /**
     * Deletes every version.
     *
     * @param key a key of the view's form
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
   * Creates a view from the operations of a key space.
   *
   * @param keys lists the keys, sorted
   * @param isKey tells whether a string has the form of the keys
   * @param exists tells whether a key resolves
   * @param load loads a key's latest value as the view shows it, throwing {@link ObjectNotFoundException} when
   *     absent (see {@link #valueOf})
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

  /**
   * The value a view shows for a version: the manifest of a file or a tree (which would otherwise be written to
   * disk), else the loaded object.
   *
   * @param manifest the version
   * @param load loads it, given {@code name@version}
   * @return the value
   */
  public static Object valueOf(Manifest manifest, Function<String, Object> load) {
    return manifest.objectClass().equals(Path.class.getName()) ? manifest
        : load.apply(manifest.name() + "@" + manifest.version());
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new KeyIterator<>(LazyEntry::new);
      }

      @Override
      public int size() {
        return ObjectMapView.this.size();
      }

      @Override
      public boolean contains(Object o) {
        return o instanceof Entry<?, ?> e && e.getValue() != null
            && e.getValue().equals(ObjectMapView.this.get(e.getKey()));
      }

      @Override
      public boolean remove(Object o) {
        return contains(o) && source.remove((String) ((Entry<?, ?>) o).getKey());
      }
    };
  }

  @Override
  public Set<String> keySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<String> iterator() {
        return new KeyIterator<>(key -> key);
      }

      @Override
      public int size() {
        return ObjectMapView.this.size();
      }

      @Override
      public boolean contains(Object o) {
        return containsKey(o);
      }

      @Override
      public boolean remove(Object o) {
        return isViewKey(o) && source.remove((String) o);
      }
    };
  }

  @Override
  public int size() {
    return source.keys().size();
  }

  @Override
  public boolean isEmpty() {
    return source.keys().isEmpty();
  }

  @Override
  public boolean containsKey(Object key) {
    return isViewKey(key) && source.exists((String) key);
  }

  @Override
  public boolean containsValue(Object value) {
    Objects.requireNonNull(value, "the view holds no null values");
    return super.containsValue(value);
  }

  @Override
  public @Nullable Object get(Object key) {
    if (!isViewKey(key)) {
      return null;
    }
    try {
      return source.load((String) key);
    } catch (ObjectNotFoundException e) {
      return null;
    }
  }

  /**
   * Saves a new version, after loading the latest one to return it.
   *
   * @return the previous latest value, or null when the key was absent
   * @throws IllegalArgumentException when the key is not of the view's form
   */
  @Override
  public @Nullable Object put(String key, Object value) {
    requireViewKey(key);
    Objects.requireNonNull(value, "the view holds no null values");
    Object previous = get(key);
    source.save(key, value);
    return previous;
  }

  @Override
  public @Nullable Object replace(String key, Object value) {
    Objects.requireNonNull(value, "the view holds no null values");
    Object previous = get(Objects.requireNonNull(key, "the view holds no null keys"));
    if (previous != null) {
      source.save(key, value);
    }
    return previous;
  }

  /**
   * Deletes every version of the key, after loading the latest one to return it.
   *
   * @return the previous latest value, or null when the key was absent
   */
  @Override
  public @Nullable Object remove(Object key) {
    Object previous = get(key);
    if (previous != null) {
      source.remove((String) key);
    }
    return previous;
  }

  private boolean isViewKey(@Nullable Object key) {
    return Objects.requireNonNull(key, "the view holds no null keys") instanceof String k && source.isKey(k);
  }

  private void requireViewKey(String key) {
    if (!isViewKey(key)) {
      throw new IllegalArgumentException("'" + key + "' is not a key of this view: its keys are names as it lists"
          + " them (" + String.join(", ", source.keys().stream().limit(3).toList()) + "...), without a version or"
          + " a tag");
    }
  }

  /** Iterates the keys listed when it starts; {@code remove} deletes the last key returned. */
  private final class KeyIterator<T> implements Iterator<T> {
    private final Iterator<String> keys = source.keys().iterator();
    private final Function<String, T> element;
    private @Nullable String last;

    KeyIterator(Function<String, T> element) {
      this.element = element;
    }

    @Override
    public boolean hasNext() {
      return keys.hasNext();
    }

    @Override
    public T next() {
      last = keys.next();
      return element.apply(last);
    }

    @Override
    public void remove() {
      if (last == null) {
        throw new IllegalStateException("next() first, and remove() once per element");
      }
      source.remove(last);
      last = null;
    }
  }

  /** An entry whose value is loaded when first asked for, then kept. */
  private final class LazyEntry implements Entry<String, Object> {
    private final String key;
    private @Nullable Object value;

    LazyEntry(String key) {
      this.key = key;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public synchronized Object getValue() {
      if (value == null) {
        value = get(key);
        if (value == null) {
          throw new NoSuchElementException(key + " was deleted after iteration began");
        }
      }
      return value;
    }

    /** Saves a new version; returns the value it replaced. */
    @Override
    public synchronized Object setValue(Object replacement) {
      Objects.requireNonNull(replacement, "the view holds no null values");
      Object previous = getValue();
      source.save(key, replacement);
      value = replacement;
      return previous;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry<?, ?> e && key.equals(e.getKey()) && getValue().equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return key.hashCode() ^ getValue().hashCode();
    }

    @Override
    public String toString() {
      return key + "=" + getValue();
    }
  }
}
