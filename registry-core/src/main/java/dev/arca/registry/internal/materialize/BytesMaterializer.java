package dev.arca.registry.internal.materialize;

import dev.arca.registry.MaterializerException;
import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.Materializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * {@code byte[]}, and {@code InputStream} for writing (streamed, never buffered whole): one file, {@code data}.
 * A saved stream loads back as {@code byte[]}, or streams into a file through the {@code Path} materializer's
 * reader by loading it with {@code loadInto}.
 */
final class BytesMaterializer implements Materializer<Object> {

  static final String ID = "arca.bytes";
  static final String FILE = "data";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public boolean supports(Class<?> type) {
    return type == byte[].class || InputStream.class.isAssignableFrom(type);
  }

  @Override
  public String objectClass(Object value) {
    return byte[].class.getName();
  }

  @Override
  public void write(Object value, ArtifactWriter out) throws IOException {
    if (value instanceof byte[] bytes) {
      try (OutputStream file = out.file(FILE)) {
        file.write(bytes);
      }
    } else {
      out.file(FILE, (InputStream) value);
    }
  }

  @Override
  public <S> S read(ArtifactReader in, Class<S> type) throws IOException {
    if (type != byte[].class) {
      throw new MaterializerException("a saved InputStream is write-only: load it as byte[] or into a directory"
          + " with loadInto(key, dir)", null);
    }
    try (InputStream file = in.open(FILE)) {
      return type.cast(file.readAllBytes());
    }
  }
}
