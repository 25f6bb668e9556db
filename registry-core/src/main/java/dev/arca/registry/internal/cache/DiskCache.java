package dev.arca.registry.internal.cache;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.internal.io.HashingOutputStream;
import dev.arca.registry.internal.io.LargeCopy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A content-addressed file cache: each file is stored once under its sha256, whoever asked for it. Several JVMs
 * may share one directory: files appear only by atomic rename of a fully written and verified temp file, and no
 * lock is held while downloading (two processes fetching one file both download it and the second rename
 * replaces the first with identical bytes). Bounded by bytes, least recently used evicted first (use refreshes a
 * file's modification time). Thread-safe.
 */
public final class DiskCache {

  /** Fetches the bytes of a file that is not cached. */
  @FunctionalInterface
  public interface Source {
    InputStream open() throws IOException;
  }

  private final Path root;
  private final Path objects;
  private final Path temp;
  private final long maxBytes;

  public DiskCache(Path root, long maxBytes) throws IOException {
    this.root = root.toAbsolutePath();
    this.objects = Files.createDirectories(this.root.resolve("sha256"));
    this.temp = Files.createDirectories(this.root.resolve("tmp"));
    this.maxBytes = maxBytes;
  }

  public Path root() {
    return root;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /** Whether an object of this size may be cached at all. */
  public boolean fits(long size) {
    return size <= maxBytes;
  }

  /** The cached file for a sha256, marked as just used; empty when not cached. */
  public Optional<Path> lookup(String sha256) {
    Path file = path(sha256);
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
      return Optional.of(file);
    } catch (IOException missing) {
      return Optional.empty();
    }
  }

  /**
   * Downloads a file into the cache, checking size and sha256 before it becomes visible, after evicting least
   * recently used files so that the cache plus this file stays within the bound.
   *
   * @throws IntegrityException when the fetched bytes do not match: nothing is cached then
   */
  public Path fetch(String sha256, long size, Source source, String what) throws IOException {
    evictFor(size);
    Path part = Files.createTempFile(temp, "fetch-", ".part");
    try {
      HashingOutputStream hashing;
      try (InputStream in = source.open(); OutputStream out = Files.newOutputStream(part)) {
        hashing = new HashingOutputStream(out);
        LargeCopy.copy(in, hashing);
      }
      if (hashing.count() != size || !hashing.sha256().equals(sha256)) {
        throw new IntegrityException(what + " arrived with " + hashing.count() + " bytes that do not match its"
            + " manifest's size " + size + " and sha256: the stored copy is corrupt or was cut short");
      }
      Path target = path(sha256);
      Files.createDirectories(target.getParent());
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } finally {
      Files.deleteIfExists(part);
    }
  }

  /** Drops a cached file (found corrupt). */
  public void invalidate(String sha256) {
    try {
      Files.deleteIfExists(path(sha256));
    } catch (IOException ignored) {
      // another process may hold it open on a system that forbids deletion; it is re-verified on use anyway
    }
  }

  /** Total bytes of cached files. */
  public long size() throws IOException {
    long total = 0;
    for (Entry e : entries()) {
      total += e.size;
    }
    return total;
  }

  /** Removes every cached file. */
  public void clear() throws IOException {
    for (Entry e : entries()) {
      Files.deleteIfExists(e.path);
    }
  }

  private void evictFor(long incoming) throws IOException {
    List<Entry> entries = entries();
    long total = entries.stream().mapToLong(e -> e.size).sum();
    if (total + incoming <= maxBytes) {
      return;
    }
    entries.sort(Comparator.comparing((Entry e) -> e.lastUsed));
    for (Entry e : entries) {
      if (total + incoming <= maxBytes) {
        return;
      }
      try {
        Files.deleteIfExists(e.path);
        total -= e.size;
      } catch (IOException inUse) {
        // held elsewhere; try the next one
      }
    }
  }

  private record Entry(Path path, long size, FileTime lastUsed) {}

  private List<Entry> entries() throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(objects)) {
      for (Path shard : shards) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
          for (Path f : files) {
            try {
              BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
              entries.add(new Entry(f, a.size(), a.lastModifiedTime()));
            } catch (NoSuchFileException evictedMeanwhile) {
              // another process evicted it
            }
          }
        } catch (NoSuchFileException | java.nio.file.NotDirectoryException gone) {
          // shard removed meanwhile
        }
      }
    }
    return entries;
  }

  private Path path(String sha256) {
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("not a sha256: " + sha256);
    }
    return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
  }

}
