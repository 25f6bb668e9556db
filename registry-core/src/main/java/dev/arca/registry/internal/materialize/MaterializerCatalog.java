package dev.arca.registry.internal.materialize;

import dev.arca.registry.MaterializerException;
import dev.arca.registry.spi.Materializer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The materializers a registry knows, and the lookup of DESIGN.md: an explicit id first, then the registry's
 * persisted type mapping (the class, its superclasses, then its interfaces, breadth-first in declaration
 * order), then added and ServiceLoader-found materializers in order, then the built-ins. Immutable and
 * thread-safe.
 */
public final class MaterializerCatalog {

  private final Map<String, Materializer<?>> byId = new LinkedHashMap<>();
  private final List<Materializer<?>> ordered = new ArrayList<>();

  /**
   * @param added materializers given to the registry builder, before ServiceLoader-found ones
   * @param loader where ServiceLoader looks
   */
  public MaterializerCatalog(List<Materializer<?>> added, ClassLoader loader) {
    List<Materializer<?>> all = new ArrayList<>(added);
    for (Materializer<?> found : ServiceLoader.load(Materializer.class, loader)) {
      all.add(found);
    }
    all.add(new BytesMaterializer());
    all.add(new StringMaterializer());
    all.add(new PathMaterializer());
    all.add(new JsonMaterializer());
    for (Materializer<?> m : all) {
      Materializer<?> previous = byId.putIfAbsent(m.id(), m);
      if (previous == null) {
        ordered.add(m);
      } else if (previous.getClass() != m.getClass() && added.contains(m)) {
        throw new IllegalArgumentException("two materializers share the id '" + m.id() + "': "
            + previous.getClass().getName() + " and " + m.getClass().getName());
      }
    }
  }

  /** The materializer with this id, or null. */
  public @Nullable Materializer<?> byId(String id) {
    return byId.get(id);
  }

  /**
   * The materializer for saving an instance of {@code type}.
   *
   * @param explicit an id the caller named, or null
   * @param persisted the registry's class-name to id mapping
   */
  public Materializer<?> forSave(Class<?> type, @Nullable String explicit, Map<String, String> persisted) {
    if (explicit != null) {
      return require(explicit, type, "named in SaveOptions");
    }
    for (Class<?> c : hierarchy(type)) {
      String id = persisted.get(c.getName());
      if (id != null) {
        return require(id, type, "mapped to " + c.getName() + " in this registry's settings");
      }
    }
    for (Materializer<?> m : ordered) {
      if (m.supports(type)) {
        return m;
      }
    }
    throw new MaterializerException("no materializer can save " + type.getName() + ": built-ins handle byte[],"
        + " InputStream, String, Path, records, POJOs with a public no-argument constructor, Map, Collection and"
        + " boxed primitives; add one with Registry.builder().materializer(...)", null);
  }

  /** The materializer a manifest names, checked against the type a load asks for. */
  public Materializer<?> forLoad(String id, Class<?> type) {
    return require(id, type, "recorded in the manifest");
  }

  private Materializer<?> require(String id, Class<?> type, String where) {
    Materializer<?> m = byId.get(id);
    if (m == null) {
      throw new MaterializerException("materializer '" + id + "' (" + where + ") is not available: add the"
          + " library that provides it, or register it with Registry.builder().materializer(...)", null);
    }
    if (!m.supports(type)) {
      throw new MaterializerException("materializer '" + id + "' (" + where + ") does not handle "
          + type.getName(), null);
    }
    return m;
  }

  /** The class, its superclasses, then all interfaces breadth-first in declaration order. */
  static List<Class<?>> hierarchy(Class<?> type) {
    List<Class<?>> classes = new ArrayList<>();
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      classes.add(c);
    }
    Deque<Class<?>> queue = new ArrayDeque<>();
    Set<Class<?>> seen = new HashSet<>();
    for (Class<?> c : List.copyOf(classes)) {
      queue.addAll(List.of(c.getInterfaces()));
    }
    while (!queue.isEmpty()) {
      Class<?> i = queue.poll();
      if (seen.add(i)) {
        classes.add(i);
        queue.addAll(List.of(i.getInterfaces()));
      }
    }
    return classes;
  }
}
