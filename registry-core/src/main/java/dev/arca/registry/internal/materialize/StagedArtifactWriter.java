package dev.arca.registry.internal.materialize;

import dev.arca.registry.FileEntry;
import dev.arca.registry.MaterializerException;
import dev.arca.registry.Names;
import dev.arca.registry.internal.io.HashingOutputStream;
import dev.arca.registry.internal.io.LargeCopy;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.StagedVersion;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/** Streams a materializer's files into a write attempt, hashing and counting each in the same pass. */
public final class StagedArtifactWriter implements ArtifactWriter {

  private final StagedVersion staged;
  private final Set<String> paths = new HashSet<>();
  private final List<FileEntry> entries = new ArrayList<>();
  private final Map<String, String> params = new TreeMap<>();
  private final @Nullable LongConsumer progress;
  private long written;
  private int open;

  public StagedArtifactWriter(StagedVersion staged, @Nullable LongConsumer progress) {
    this.staged = staged;
    this.progress = progress;
  }

  @Override
  public OutputStream file(String path) throws IOException {
    Names.requirePath(path);
    if (!paths.add(path)) {
      throw new MaterializerException("the materializer wrote file '" + path + "' twice", null);
    }
    HashingOutputStream hashing = new HashingOutputStream(staged.create(path));
    open++;
    return new FilterOutputStream(hashing) {
      private boolean closed;

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        hashing.write(b, off, len);
        if (progress != null) {
          written += len;
          progress.accept(written);
        }
      }

      @Override
      public void close() throws IOException {
        if (!closed) {
          closed = true;
          hashing.close();
          entries.add(new FileEntry(path, hashing.count(), hashing.sha256()));
          open--;
        }
      }
    };
  }

  @Override
  public void file(String path, InputStream source) throws IOException {
    try (OutputStream out = file(path)) {
      LargeCopy.copy(source, out);
    }
  }

  @Override
  public void file(String path, Path source) throws IOException {
    try (OutputStream out = file(path); InputStream in = Files.newInputStream(source)) {
      LargeCopy.copy(in, out);
    }
  }

  @Override
  public void param(String key, String value) {
    params.put(key, value);
  }

  /** The stored files; fails if the materializer left one open. */
  public List<FileEntry> entries() {
    if (open != 0) {
      throw new MaterializerException("the materializer left " + open + " file(s) open: close every stream", null);
    }
    return List.copyOf(entries);
  }

  public Map<String, String> params() {
    return Map.copyOf(params);
  }
}
