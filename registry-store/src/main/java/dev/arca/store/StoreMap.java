package dev.arca.store;

import dev.arca.registry.ObjectNotFoundException;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The {@link Store#asMap()} view: {@code mount/name} to the latest value, loaded on access. */
final class StoreMap extends AbstractMap<String, Object> {

  private final Store store;

  StoreMap(Store store) {
    this.store = store;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        Iterator<String> names = store.names().iterator();
        return new Iterator<>() {
          private @Nullable String last;

          @Override
          public boolean hasNext() {
            return names.hasNext();
          }

          @Override
          public Entry<String, Object> next() {
            String key = names.next();
            last = key;
            return new SimpleImmutableEntry<>(key, store.load(key)) {
              @Override
              public Object setValue(Object value) {
                store.save(key, value);
                return value;
              }
            };
          }

          @Override
          public void remove() {
            if (last == null) {
              throw new IllegalStateException("next() first");
            }
            store.remove(last);
            last = null;
          }
        };
      }

      @Override
      public int size() {
        return store.names().size();
      }
    };
  }

  @Override
  public boolean containsKey(Object key) {
    return key instanceof String k && parses(k) && store.exists(k);
  }

  @Override
  public @Nullable Object get(Object key) {
    if (!(key instanceof String k) || !parses(k)) {
      return null;
    }
    try {
      return store.load(k);
    } catch (ObjectNotFoundException e) {
      return null;
    }
  }

  /** Saves a new version; returns null, since no value is replaced. */
  @Override
  public @Nullable Object put(String key, Object value) {
    store.save(key, value);
    return null;
  }

  @Override
  public @Nullable Object remove(Object key) {
    Object previous = get(key);
    if (previous != null) {
      store.remove((String) key);
    }
    return previous;
  }

  @Override
  public void putAll(Map<? extends String, ?> values) {
    values.forEach(store::save);
  }

  private static boolean parses(String key) {
    try {
      StoreKey.parse(key);
      return true;
    } catch (StoreKeyFormatException e) {
      return false;
    }
  }
}
