package dev.arca.registry.internal.materialize;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.VerifyLevel;
import dev.arca.registry.internal.io.VerifyingInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Hands a materializer the files of one manifest, verified while read. Closing a verifying stream reads what
 * the materializer left unread, so every file it opened is checked whole before the load returns.
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
  private @Nullable Path destination;
  private final boolean destinationGiven;

  public ManifestArtifactReader(Manifest manifest, FileOpener opener, VerifyLevel verify, @Nullable Path destination) {
    this.manifest = manifest;
    this.opener = opener;
    this.verify = verify;
    this.destination = destination;
    this.destinationGiven = destination != null;
  }

  @Override
  public List<FileEntry> files() {
    return manifest.files();
  }

  @Override
  public InputStream open(String path) throws IOException {
    FileEntry entry = manifest.file(path);
    InputStream raw = opener.open(entry);
    if (verify == VerifyLevel.NONE) {
      return raw;
    }
    VerifyingInputStream verifying = new VerifyingInputStream(raw, entry.size(), entry.sha256(),
        manifest.name() + "@" + manifest.version() + " file '" + path + "'");
    return new FilterInputStream(verifying) {
      private boolean closed;

      @Override
      public void close() throws IOException {
        if (closed) {
          return;
        }
        closed = true;
        try {
          verifying.drainAndVerify();
        } finally {
          verifying.close();
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
    } else if (destinationGiven) {
      Files.createDirectories(destination);
    }
    return destination;
  }
}
