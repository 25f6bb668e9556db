package dev.arca.registry.internal.materialize;

import dev.arca.registry.MaterializerException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The classes a load that asks for no type may construct. The class it constructs is named by the stored
 * manifest, which anyone who can write the storage can forge (its digest has no key), so it is only ever one
 * the registry knows: a built-in value type, a class mapped in the registry's settings, or one the caller
 * allowed. Immutable and thread-safe.
 */
public final class UntypedLoadTypes {

  private static final Map<String, Class<?>> BUILT_IN = byName(List.of(byte[].class, String.class, Path.class,
      Boolean.class, Character.class, Byte.class, Short.class, Integer.class, Long.class, Float.class, Double.class,
      BigInteger.class, BigDecimal.class, HashMap.class, LinkedHashMap.class, TreeMap.class, ArrayList.class,
      LinkedList.class, ArrayDeque.class, HashSet.class, LinkedHashSet.class, TreeSet.class));

  private final Map<String, Class<?>> allowed;
  private final ClassLoader loader;

  /**
   * @param allowed classes the caller allowed, matched exactly
   * @param loader where classes mapped in the settings are looked up
   */
  public UntypedLoadTypes(Collection<Class<?>> allowed, ClassLoader loader) {
    this.allowed = byName(allowed);
    this.loader = loader;
  }

  /**
   * The class to load {@code className} as.
   *
   * @param version the version being loaded, {@code name@version}, for messages
   * @param className the class the manifest records
   * @param mapped the registry's persisted class-name to materializer mapping
   * @throws MaterializerException when the registry does not know the class, naming the ways out
   */
  public Class<?> classFor(String version, String className, Map<String, String> mapped) {
    Class<?> known = BUILT_IN.getOrDefault(className, allowed.get(className));
    if (known != null) {
      return known;
    }
    if (!mapped.containsKey(className)) {
      Class<?> collection = jdkCollection(className);
      if (collection != null) {
        return standIn(collection);
      }
      String simple = className.substring(Math.max(className.lastIndexOf('.'), className.lastIndexOf('$')) + 1);
      throw new MaterializerException(version + " holds a " + className + ", which a load without a type does"
          + " not construct (the stored manifest names the class, and whoever can write the storage can forge it):"
          + " load it with load(key, " + simple + ".class), or allow it with Registry.builder().allowTypes("
          + simple + ".class)", null);
    }
    try {
      return Class.forName(className, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new MaterializerException(version + " holds a " + className + ", which is not on the classpath: load it"
          + " with load(key, SomeType.class)", e);
    }
  }

  /**
   * The class a load without a type constructs for a value of {@code type}: the type itself, except for the JDK's
   * collections that are not built-in value types, among them the unmodifiable ones ({@code Map.of}, {@code
   * List.of}, {@code Collections.unmodifiableMap}, {@code Arrays.asList}), which no load can construct: for those,
   * the mutable collection with the same contents in the same order: {@code LinkedHashMap}, {@code LinkedHashSet},
   * or {@code ArrayList} for any other collection (a sorted one keeps its order without its comparator, which JSON
   * does not hold). Saves record this class, so a load without a type needs nothing.
   *
   * @param type the class of a value being saved
   * @return the class to record
   */
  public static Class<?> standIn(Class<?> type) {
    String name = type.getName();
    if (!name.startsWith("java.util.") || BUILT_IN.containsKey(name)) {
      return type;
    }
    if (Map.class.isAssignableFrom(type)) {
      return LinkedHashMap.class;
    }
    if (Set.class.isAssignableFrom(type)) {
      return LinkedHashSet.class;
    }
    return Collection.class.isAssignableFrom(type) ? ArrayList.class : type;
  }

  /**
   * The JDK collection class a manifest names (as earlier versions recorded {@code Map.of}'s), looked up among the
   * JDK's own classes only and not initialized; null for any other name.
   */
  private static @Nullable Class<?> jdkCollection(String className) {
    if (!className.startsWith("java.util.")) {
      return null;
    }
    try {
      Class<?> type = Class.forName(className, false, null);
      return Map.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type) ? type : null;
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }

  private static Map<String, Class<?>> byName(Collection<Class<?>> classes) {
    Map<String, Class<?>> map = new HashMap<>();
    for (Class<?> c : classes) {
      map.put(c.getName(), c);
    }
    return Map.copyOf(map);
  }
}
