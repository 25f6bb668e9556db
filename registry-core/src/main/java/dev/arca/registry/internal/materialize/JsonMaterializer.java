package dev.arca.registry.internal.materialize;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.arca.registry.MaterializerException;
import dev.arca.registry.internal.json.Json;
import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.Materializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Records, POJOs (a public no-argument constructor), {@code Map}, {@code Collection} and boxed primitives as one
 * JSON file, {@code value.json}, through Jackson with polymorphic typing off: the stored bytes never choose a
 * class. The declared top-level type round-trips exactly; elements of untyped containers load as Jackson's
 * natural types (maps, lists, numbers, strings).
 */
final class JsonMaterializer implements Materializer<Object> {

  static final String ID = "arca.json";
  private static final String FILE = "value.json";
  private static final Set<Class<?>> SCALARS = Set.of(Boolean.class, Character.class, Byte.class, Short.class,
      Integer.class, Long.class, Float.class, Double.class, BigInteger.class, BigDecimal.class);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public boolean supports(Class<?> type) {
    if (type.isPrimitive() || type.isArray() || type.isAnnotation()) {
      return false;
    }
    if (SCALARS.contains(type) || type.isRecord() || type.isEnum()
        || Map.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
      return true;
    }
    String pkg = type.getPackageName();
    if (pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.startsWith("jdk.") || pkg.startsWith("sun.")) {
      return false;
    }
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || !Modifier.isPublic(type.getModifiers())) {
      return false;
    }
    try {
      return Modifier.isPublic(type.getConstructor().getModifiers());
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** A JDK collection without a public constructor ({@code Map.of}'s) is recorded as one a load can construct. */
  @Override
  public String objectClass(Object value) {
    return UntypedLoadTypes.standIn(value.getClass()).getName();
  }

  @Override
  public void write(Object value, ArtifactWriter out) throws IOException {
    try (OutputStream file = out.file(FILE)) {
      Json.write(value, file);
    } catch (JsonProcessingException e) {
      throw new MaterializerException("cannot write " + value.getClass().getName() + " as JSON: "
          + e.getOriginalMessage(), e);
    }
  }

  @Override
  public <S> S read(ArtifactReader in, Class<S> type) throws IOException {
    try (InputStream file = in.open(FILE)) {
      return Json.read(file, type);
    } catch (JsonProcessingException e) {
      throw new MaterializerException("cannot read JSON as " + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
