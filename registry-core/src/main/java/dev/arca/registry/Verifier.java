package dev.arca.registry;

import dev.arca.registry.internal.io.VerifyingInputStream;
import dev.arca.registry.spi.Backend;
import dev.arca.registry.spi.Stamped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Re-reads one version from a backend and checks its manifest against its digest and every file against its
 * size and sha256, reporting what is corrupt or missing instead of stopping at the first problem. Which copy it
 * checks is the backend's: the remote itself, or the remote seen through the cache.
 */
final class Verifier {

  private Verifier() {}

  /**
   * Verifies {@code name@version} as {@code from} serves it.
   *
   * @throws IOException when the backend fails for another reason than a missing file (unreachable, denied):
   *     that says nothing about the version
   */
  static VerifyResult check(Backend from, String name, Version version) throws IOException {
    String key = name + "@" + version;
    Manifest manifest;
    try {
      Optional<Stamped<Manifest>> read = from.readManifest(name, version);
      if (read.isEmpty()) {
        if (from.tombstone(name, version).isPresent()) {
          throw new ObjectNotFoundException(key + " was deleted");
        }
        return new VerifyResult(key, VerifyResult.Status.MISSING, 0, 0, "its manifest is gone");
      }
      manifest = read.get().value();
    } catch (IntegrityException unreadable) {
      return new VerifyResult(key, VerifyResult.Status.CORRUPT, 0, 0, unreadable.getMessage());
    }
    if (!manifest.digestMatches()) {
      return new VerifyResult(key, VerifyResult.Status.CORRUPT, manifest.files().size(), 0,
          "its manifest does not match its digest: it was altered after commit");
    }
    List<String> missing = new ArrayList<>();
    List<String> corrupt = new ArrayList<>();
    long bytes = 0;
    for (FileEntry file : manifest.files()) {
      String what = key + " file '" + file.path() + "'";
      try (InputStream in = new VerifyingInputStream(from.openFile(manifest, file), file.size(), file.sha256(),
          what)) {
        bytes += in.transferTo(OutputStream.nullOutputStream());
      } catch (NoSuchFileException gone) {
        missing.add("file '" + file.path() + "' is gone");
      } catch (IntegrityException mismatch) {
        corrupt.add(mismatch.getMessage());
      }
    }
    List<String> problems = new ArrayList<>(missing);
    problems.addAll(corrupt);
    VerifyResult.Status status = !missing.isEmpty() ? VerifyResult.Status.MISSING
        : !corrupt.isEmpty() ? VerifyResult.Status.CORRUPT : VerifyResult.Status.OK;
    return new VerifyResult(key, status, manifest.files().size(), bytes,
        problems.isEmpty() ? null : String.join("; ", problems));
  }
}
