package dev.arca.registry.internal.materialize;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.VerifyLevel;
import dev.arca.registry.internal.io.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Hands a materializer the files of one manifest, verified while read. Closing a verifying stream reads what
 * the materializer left unread, so every file it opened is checked whole before the load returns. Counts the
 * bytes read for a progress callback, and remembers the directories it created for the destination so that a
 * failed load can take them away again ({@link #discardCreated()}).
 */
public final class ManifestArtifactReader implements dev.arca.registry.spi.ArtifactReader {

  /** Opens the raw bytes of one file of the manifest. */
  @FunctionalInterface
  public interface FileOpener {
    InputStream open(FileEntry file) throws IOException;
  }

  private final Manifest manifest;
  private final FileOpener opener;
  private final VerifyLevel verify;
  private final @Nullable LongConsumer progress;
  private @Nullable Path destination;
  private final boolean destinationGiven;
  private @Nullable Path firstCreated;
  private long read;

  /**
   * @param destination the directory the caller named, or null for a fresh temp directory on demand
   * @param progress called with the total bytes read so far, or null
   */
  public ManifestArtifactReader(Manifest manifest, FileOpener opener, VerifyLevel verify, @Nullable Path destination,
      @Nullable LongConsumer progress) {
    this.manifest = manifest;
    this.opener = opener;
    this.verify = verify;
    this.destination = destination;
    this.destinationGiven = destination != null;
    this.progress = progress;
  }

  @Override
  public List<FileEntry> files() {
    return manifest.files();
  }

  @Override
  public InputStream open(String path) throws IOException {
    FileEntry entry = manifest.file(path);
    InputStream opened = opener.open(entry);
    if (verify == VerifyLevel.NONE) {
      return counting(opened);
    }
    // over: a cache filling from the remote already verifies what it streams, so the bytes are hashed once
    InputStream verifying = counting(VerifyingInputStream.over(opened, entry.size(), entry.sha256(),
        manifest.name() + "@" + manifest.version() + " file '" + path + "'"));
    return new FilterInputStream(verifying) {
      private boolean closed;

      @Override
      public void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        try {
          byte[] rest = new byte[65536];
          while (in.read(rest, 0, rest.length) >= 0) {
            // read, not skipped, so that the rest is hashed (and counted): the end verifies
          }
        } finally {
          in.close();
        }
      }
    };
  }

  @Override
  public Map<String, String> params() {
    return manifest.params();
  }

  @Override
  public String objectClass() {
    return manifest.objectClass();
  }

  @Override
  public Path destination() throws IOException {
    if (destination == null) {
      destination = Files.createTempDirectory("arca-load-");
      firstCreated = destination;
    } else if (destinationGiven && firstCreated == null) {
      Path absolute = destination.toAbsolutePath();
      Path missing = null;
      for (Path p = absolute; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
        missing = p;
      }
      Files.createDirectories(destination);
      firstCreated = missing;
    }
    return destination;
  }

  /**
   * After a failed load: removes the directories {@link #destination()} created, as far as they are empty (a
   * materializer that failed may have left its own files, which stay).
   */
  public void discardCreated() {
    if (firstCreated == null || destination == null) {
      return;
    }
    Path stop = firstCreated.getParent();
    for (Path p = destination.toAbsolutePath(); p != null && !p.equals(stop); p = p.getParent()) {
      try {
        Files.delete(p);
      } catch (IOException notEmptyOrGone) {
        return; // best effort: the load's own failure is what the caller sees
      }
    }
  }

  private InputStream counting(InputStream raw) {
    if (progress == null) {
      return raw;
    }
    return new FilterInputStream(raw) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          progress.accept(++read);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          read += n;
          progress.accept(read);
        }
        return n;
      }
    };
  }
}
