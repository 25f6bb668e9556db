package dev.arca.registry;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@link Registry#asMap()} view: names to latest values, loaded on access. */
final class RegistryMap extends AbstractMap<String, Object> {

  private final Registry registry;

  RegistryMap(Registry registry) {
    this.registry = registry;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        Iterator<String> names = registry.names().iterator();
        return new Iterator<>() {
          private @Nullable String last;

          @Override
          public boolean hasNext() {
            return names.hasNext();
          }

          @Override
          public Entry<String, Object> next() {
            String name = names.next();
            last = name;
            return new LazyEntry(name);
          }

          @Override
          public void remove() {
            if (last == null) {
              throw new IllegalStateException("next() first");
            }
            registry.remove(last);
            last = null;
          }
        };
      }

      @Override
      public int size() {
        return registry.names().size();
      }
    };
  }

  @Override
  public int size() {
    return registry.names().size();
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String k && validKey(k) && registry.exists(k);
  }

  @Override
  public @Nullable Object get(Object key) {
    if (!(key instanceof String k) || !validKey(k)) {
      return null;
    }
    try {
      return registry.load(k);
    } catch (ObjectNotFoundException e) {
      return null;
    }
  }

  /** Saves a new version; returns null, since no value is replaced. */
  @Override
  public @Nullable Object put(String key, Object value) {
    registry.save(key, value);
    return null;
  }

  @Override
  public @Nullable Object remove(Object key) {
    Object previous = get(key);
    if (previous != null) {
      registry.remove((String) key);
    }
    return previous;
  }

  @Override
  public void putAll(Map<? extends String, ?> values) {
    BatchResult<Manifest> result = registry.saveAll(new java.util.LinkedHashMap<String, Object>(values));
    List<BatchResult.Item<Manifest>> failed = result.failed();
    if (!failed.isEmpty()) {
      RegistryException first = failed.get(0).error();
      throw first != null ? first : new RegistryException("putAll failed for " + failed.get(0).key());
    }
  }

  private static boolean validKey(String key) {
    try {
      ObjectKey.parse(key);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private final class LazyEntry implements Entry<String, Object> {
    private final String name;

    LazyEntry(String name) {
      this.name = name;
    }

    @Override
    public String getKey() {
      return name;
    }

    @Override
    public Object getValue() {
      Object value = RegistryMap.this.get(name);
      if (value == null) {
        throw new NoSuchElementException(name + " was deleted after iteration began");
      }
      return value;
    }

    @Override
    public Object setValue(Object value) {
      registry.save(name, value);
      return value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry<?, ?> e && name.equals(e.getKey()) && getValue().equals(e.getValue());
    }

    @Override
    public int hashCode() {
      return name.hashCode() ^ getValue().hashCode();
    }
  }
}
