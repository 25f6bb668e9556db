package dev.arca.registry.spi;

import java.io.IOException;

/**
 * Turns objects of some types into named files and back. Registered with the registry builder, found through
 * {@link java.util.ServiceLoader}, or named in a registry's persisted type mapping.
 *
 * <p>A materializer streams: it writes each file through {@link ArtifactWriter} and reads through
 * {@link ArtifactReader}, and never needs a whole object's bytes in memory or a temp directory. Implementations
 * must be thread-safe (one instance serves concurrent saves and loads) and must never use Java native
 * serialization.
 *
 * @param <T> the type written
 */
public interface Materializer<T> {

  /**
   * A stable id recorded in every manifest this materializer writes, e.g. {@code arca.json}. Never change it:
   * loads find the materializer by it.
   *
   * @return the id
   */
  String id();

  /**
   * The version of the stored format, recorded in manifests so a later release can read old data.
   *
   * @return the format version, from 1
   */
  default int formatVersion() {
    return 1;
  }

  /**
   * Tells whether this materializer can write and read instances of {@code type}.
   *
   * @param type a class
   * @return true when it handles the class
   */
  boolean supports(Class<?> type);

  /**
   * The class name recorded in the manifest for {@code value}; a load that asks for no particular type
   * produces an instance of it. By default the value's own class; a materializer whose values are
   * implementation classes (a {@code Path}, an {@code InputStream}) records the type a load produces instead.
   *
   * @param value the object being saved
   * @return a class name {@link #supports} accepts
   */
  default String objectClass(T value) {
    return value.getClass().getName();
  }

  /**
   * Writes an object as files.
   *
   * @param value the object
   * @param out where the files go
   * @throws IOException on failure
   */
  void write(T value, ArtifactWriter out) throws IOException;

  /**
   * Reads an object back.
   *
   * @param in the stored files, params and destination
   * @param type the class the caller asked for, which {@link #supports} accepted
   * @param <S> that class
   * @return the object
   * @throws IOException on failure; an {@link dev.arca.registry.IntegrityException} when bytes fail
   *     verification
   */
  <S extends T> S read(ArtifactReader in, Class<S> type) throws IOException;
}
