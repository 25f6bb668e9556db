package dev.arca.registry.internal.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.arca.registry.Version;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.temporal.Temporal;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * The one JSON mapper for stored documents (manifests, settings, tags). Polymorphic typing is never enabled:
 * stored bytes cannot name a class to instantiate.
 */
public final class Json {

  /** Shared, thread-safe once configured; private, so nothing can reconfigure how every registry reads. */
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /** Serializes a stored document. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName(), e);
    }
  }

  /**
   * Writes a value as JSON, for the JSON materializer; {@code out} is left open.
   *
   * @throws JsonProcessingException when the value cannot be written as JSON
   */
  public static void write(Object value, OutputStream out) throws IOException {
    MAPPER.writer().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writeValue(out, value);
  }

  /**
   * Reads a value from JSON, for the JSON materializer; {@code in} is left open.
   *
   * @throws JsonProcessingException when the bytes are not JSON of that type
   */
  public static <T> T read(InputStream in, Class<T> type) throws IOException {
    return MAPPER.reader().without(JsonParser.Feature.AUTO_CLOSE_SOURCE).readValue(in, type);
  }

  /**
   * Parses a stored document.
   *
   * @throws MalformedDocumentException with a one-line reason when the bytes are not a valid document: the rule
   *     broken and the field where, in the document's own terms, never a Java or parser class name
   */
  public static <T> T read(byte[] bytes, Class<T> type) {
    T value;
    try {
      value = MAPPER.readValue(bytes, type);
    } catch (IOException | RuntimeException e) {
      throw new MalformedDocumentException(reason(e));
    }
    if (value == null) {
      throw new MalformedDocumentException("the document is empty (JSON null)");
    }
    return value;
  }

  /** The rule a document broke, and where; Jackson's own messages name Java types and are not used. */
  private static String reason(Throwable e) {
    String path = e instanceof JsonMappingException mapping ? path(mapping) : "";
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StreamReadException parse) {
        JsonLocation at = parse.getLocation();
        return "not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
            + (path.isEmpty() ? "" : " (in '" + path + "')") + ": " + withoutTypes(parse.getOriginalMessage());
      }
    }
    if (!(e instanceof JsonMappingException mapping)) {
      return "unreadable: " + withoutTypes(rootMessage(e));
    }
    String where = path.isEmpty() ? "the document" : "field '" + path + "'";
    Throwable cause = mapping.getCause();
    if (cause instanceof NullPointerException) {
      return path.isEmpty() ? "a required field is missing" : "a required field is missing in '" + path + "'";
    }
    if (cause instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
      return where + ": " + withoutTypes(invalid.getMessage());
    }
    if (mapping instanceof MismatchedInputException mismatch) {
      return where + " must be " + expected(mismatch.getTargetType());
    }
    return where + " is malformed: " + withoutTypes(rootMessage(e));
  }

  /** {@code manifest.files[0].size}, from Jackson's reference chain. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  /** What a JSON value of this Java type looks like. */
  private static String expected(@Nullable Class<?> type) {
    if (type == null) {
      return "of another kind";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isPrimitive() && type != char.class || Number.class.isAssignableFrom(type)) {
      return "a number";
    }
    if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class
        || type == Version.class) {
      return type == Version.class ? "a version string such as \"1.0.0\"" : "a string";
    }
    if (Temporal.class.isAssignableFrom(type)) {
      return "a timestamp string";
    }
    if (type.isArray() || Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    return "a JSON object";
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : "no detail";
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }

  /** Drops backquoted Java type names (Jackson quotes them so) from a message. */
  private static String withoutTypes(@Nullable String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    String line = newline >= 0 ? message.substring(0, newline) : message;
    return line.replaceAll("`[^`]*`", "a value").replaceAll("\\(token [^)]*\\)", "").trim();
  }

  /** A stored document that does not parse or does not validate. */
  public static final class MalformedDocumentException extends RuntimeException {
    public MalformedDocumentException(String reason) {
      super(reason);
    }
  }
}
