package dev.arca.registry.internal.json;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The one JSON mapper for stored documents (manifests, settings, tags). Polymorphic typing is never enabled:
 * stored bytes cannot name a class to instantiate.
 */
public final class Json {

  /** Shared, thread-safe once configured. */
  public static final ObjectMapper MAPPER = JsonMapper.builder()
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
   * Parses a stored document.
   *
   * @throws MalformedDocumentException with a one-line reason when the bytes are not a valid document
   */
  public static <T> T read(byte[] bytes, Class<T> type) {
    try {
      T value = MAPPER.readValue(bytes, type);
      if (value == null) {
        throw new MalformedDocumentException("empty document");
      }
      return value;
    } catch (IOException | RuntimeException e) {
      if (e instanceof MalformedDocumentException m) {
        throw m;
      }
      throw new MalformedDocumentException(reason(e));
    }
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }

  /** A stored document that does not parse or does not validate. */
  public static final class MalformedDocumentException extends RuntimeException {
    public MalformedDocumentException(String reason) {
      super(reason);
    }
  }
}
