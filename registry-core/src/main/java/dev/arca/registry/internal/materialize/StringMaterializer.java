package dev.arca.registry.internal.materialize;

import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.Materializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** {@code String} (and any {@code CharSequence}, loaded as {@code String}) as one UTF-8 file, {@code text}. */
final class StringMaterializer implements Materializer<CharSequence> {

  static final String ID = "arca.string";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public boolean supports(Class<?> type) {
    return CharSequence.class.isAssignableFrom(type) && type.isAssignableFrom(String.class)
        || type == StringBuilder.class;
  }

  @Override
  public String objectClass(CharSequence value) {
    return String.class.getName();
  }

  @Override
  public void write(CharSequence value, ArtifactWriter out) throws IOException {
    try (OutputStream file = out.file("text")) {
      file.write(value.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public <S extends CharSequence> S read(ArtifactReader in, Class<S> type) throws IOException {
    try (InputStream file = in.open("text")) {
      String text = new String(file.readAllBytes(), StandardCharsets.UTF_8);
      return type.cast(type == StringBuilder.class ? new StringBuilder(text) : text);
    }
  }
}
