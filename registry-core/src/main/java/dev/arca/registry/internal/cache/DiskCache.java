package dev.arca.registry.internal.cache;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.internal.io.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A content-addressed file cache: each file is stored once under its sha256, whoever asked for it. Several JVMs
 * may share one directory: files appear only by atomic rename of a fully written and verified temp file, and no
 * lock is held while downloading (two processes fetching one file both download it and the second rename
 * replaces the first with identical bytes). Least recently used files are evicted first (use refreshes a file's
 * modification time). Thread-safe.
 *
 * <h2>Faults</h2>
 * The cache only ever saves requests; it is never the reason a read fails. When its storage fails (a directory
 * that cannot be created, a full disk, an I/O error, a file that cannot be stored), {@link #open} streams from
 * the source instead, uncached, and the caller verifies those bytes as it verifies any remote read. The first
 * fault of an instance is logged as a warning naming the directory (through {@link System.Logger}, which goes to
 * java.util.logging unless the application routes it elsewhere, e.g. with slf4j-jdk-platform-logging); later
 * ones at debug level, so a broken cache does not log once per read.
 *
 * <h2>Bound</h2>
 * Within one JVM, the cached files plus the downloads in flight stay within {@link #maxBytes()} (registries of
 * one JVM sharing a directory share its reservations; give them the same bound): a download first reserves its
 * size, evicting least recently used files as needed, and a file that does not fit beside the downloads already
 * in flight is streamed uncached. A file larger than the bound is never cached. Processes sharing a directory do
 * not see each other's downloads until they land, so the directory holds at most the bound plus the sizes of the
 * files other processes are downloading at that moment.
 *
 * <h2>Partial downloads</h2>
 * A download is written to {@code tmp/part-<pid>-<random>.part} and renamed into place once verified. The first
 * download of an instance deletes the partial downloads of processes that are gone (killed mid-download), and
 * those of earlier processes that had this one's pid and are not this JVM's. Like the local backend's sweep this
 * relies on one PID namespace: with the directory shared across containers, another container's download may be
 * taken for a dead one; that download then fails to land, and its reader gets the verified bytes uncached.
 */
public final class DiskCache {

  /** Fetches the bytes of a file that is not cached. */
  @FunctionalInterface
  public interface Source {
    InputStream open() throws IOException;
  }

  private static final System.Logger LOG = System.getLogger(DiskCache.class.getName());
  private static final int CHUNK = 1 << 20;
  private static final long PID = ProcessHandle.current().pid();
  private static final String PART_PREFIX = "part-";
  private static final String PART_SUFFIX = ".part";
  /** This JVM's downloads in flight, whichever instance runs them, so a sweep never takes one for a leftover. */
  private static final Set<Path> OWN_PARTS = ConcurrentHashMap.newKeySet();
  /** Per directory, so that registries of one JVM sharing a directory share its bound. */
  private static final ConcurrentHashMap<Path, Budget> BUDGETS = new ConcurrentHashMap<>();

  /** Bytes reserved by this JVM's downloads in flight into one directory; guarded by itself. */
  private static final class Budget {
    long inFlight;
  }

  private final Path root;
  private final Path objects;
  private final Path temp;
  private final long maxBytes;
  private final AtomicBoolean swept = new AtomicBoolean();
  private final AtomicBoolean faultLogged = new AtomicBoolean();
  private final Budget budget;

  /**
   * A cache in {@code root}, created on the first download (opening touches nothing on disk).
   *
   * @param root the directory, shared safely with other processes
   * @param maxBytes the bound, see the class javadoc
   */
  public DiskCache(Path root, long maxBytes) {
    this.root = root.toAbsolutePath();
    this.objects = this.root.resolve("sha256");
    this.temp = this.root.resolve("tmp");
    this.maxBytes = maxBytes;
    this.budget = BUDGETS.computeIfAbsent(this.root, r -> new Budget());
  }

  public Path root() {
    return root;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The bytes of a file: its cached copy, else fetched from {@code source} into the cache (its size and sha256
   * checked before it becomes visible), else, when the cache cannot hold it, streamed from the source uncached.
   * The caller closes the stream.
   *
   * @param sha256 the file's sha256
   * @param size its size
   * @param checkCached whether a cached copy is hashed before its first byte is served (a corrupt one is dropped
   *     and fetched again); for readers that pass bytes on as they read them, so cannot start over when a check
   *     at the end fails
   * @param source the remote copy
   * @param what the file, for messages
   * @throws IntegrityException when bytes fetched into the cache do not match: nothing is cached then
   * @throws IOException when the source fails
   */
  public InputStream open(String sha256, long size, boolean checkCached, Source source, String what)
      throws IOException {
    Path file = path(sha256);
    if (size > maxBytes) {
      return source.open();
    }
    Optional<InputStream> cached;
    try {
      cached = openCached(file, sha256, size, checkCached, source, what);
    } catch (IOException e) {
      fault("reading " + file, e);
      return source.open();
    }
    if (cached.isPresent()) {
      return cached.get();
    }
    if (!reserve(size)) {
      return source.open();
    }
    try {
      return fetch(file, sha256, size, source, what);
    } finally {
      // after the file landed, so a concurrent reservation counts it at least once
      release(size);
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

  private Optional<InputStream> openCached(Path file, String sha256, long size, boolean check, Source source,
      String what) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException notCached) {
      return Optional.empty();
    }
    try {
      markUsed(file);
      if (check && !holds(channel, sha256, size)) {
        channel.close();
        LOG.log(Level.INFO, () -> "the cached copy " + file + " of " + what + " is corrupt: dropped, fetching it"
            + " again");
        invalidate(sha256);
        return Optional.empty();
      }
      return Optional.of(new FailoverStream(channel, file, sha256, source));
    } catch (IOException | RuntimeException e) {
      closeAfter(channel, e);
      throw e;
    }
  }

  private void markUsed(Path file) {
    try {
      Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
    } catch (NoSuchFileException evictedMeanwhile) {
      // the open channel still reads it
    } catch (IOException e) {
      fault("marking " + file + " as used", e); // a read-only cache still serves what it holds
    }
  }

  private static boolean holds(FileChannel channel, String sha256, long size) throws IOException {
    if (channel.size() != size) {
      return false;
    }
    MessageDigest sha = Sha256.newDigest();
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    channel.position(0);
    while (channel.read(buffer) >= 0) {
      buffer.flip();
      sha.update(buffer);
      buffer.clear();
    }
    return Sha256.hex(sha.digest()).equals(sha256);
  }

  /**
   * Downloads into a temp file while hashing, then renames it into place and serves it from the channel that wrote
   * it (so an eviction or a sweep in between cannot take it away). Only the source's failures and mismatches
   * propagate; a failing disk makes this a plain read of the source.
   */
  private InputStream fetch(Path target, String sha256, long size, Source source, String what) throws IOException {
    Path part = temp.resolve(PART_PREFIX + PID + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong())
        + PART_SUFFIX);
    OWN_PARTS.add(part);
    FileChannel channel = null;
    try {
      try {
        Files.createDirectories(temp);
        sweepOnce();
        channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
      } catch (IOException e) {
        fault("creating " + part, e);
        return source.open();
      }
      MessageDigest sha = Sha256.newDigest();
      long count = 0;
      byte[] buffer = new byte[CHUNK];
      try (InputStream in = source.open()) {
        int n;
        while (count <= size && (n = in.readNBytes(buffer, 0, CHUNK)) > 0) {
          sha.update(buffer, 0, n);
          count += n;
          try {
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
              channel.write(chunk);
            }
          } catch (IOException e) {
            fault("writing " + part, e);
            return source.open(); // the disk failed midway: read the source again, past the cache
          }
        }
      }
      if (count != size || !Sha256.hex(sha.digest()).equals(sha256)) {
        throw new IntegrityException(what + " arrived with " + (count > size ? "more than " + size : count)
            + " bytes that do not match its manifest's size " + size + " and sha256: the stored copy is corrupt or"
            + " was cut short");
      }
      try {
        Files.createDirectories(target.getParent());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        fault("storing " + target, e); // the bytes are verified and open: serve them uncached
      }
      InputStream served = new FailoverStream(channel, target, sha256, source);
      channel = null;
      return served;
    } finally {
      if (channel != null) {
        channel.close();
      }
      try {
        Files.deleteIfExists(part);
      } catch (IOException e) {
        fault("deleting " + part, e);
      }
      OWN_PARTS.remove(part);
    }
  }

  /**
   * Deletes partial downloads their process left behind: its pid is gone, or it is this pid but not this JVM's.
   * Best effort: a leftover that cannot be deleted now is tried again by the next instance.
   */
  private void sweepOnce() {
    if (!swept.compareAndSet(false, true)) {
      return;
    }
    try (DirectoryStream<Path> parts = Files.newDirectoryStream(temp, PART_PREFIX + "*" + PART_SUFFIX)) {
      for (Path part : parts) {
        String name = part.getFileName().toString();
        int end = name.indexOf('-', PART_PREFIX.length());
        long pid;
        try {
          pid = Long.parseLong(name.substring(PART_PREFIX.length(), Math.max(end, PART_PREFIX.length())));
        } catch (NumberFormatException notOurs) {
          continue;
        }
        boolean abandoned = pid == PID ? !OWN_PARTS.contains(part) : ProcessHandle.of(pid).isEmpty();
        if (abandoned) {
          Files.deleteIfExists(part);
        }
      }
    } catch (IOException | java.nio.file.DirectoryIteratorException e) {
      LOG.log(Level.DEBUG, () -> "sweeping the partial downloads in " + temp + " failed", e);
    }
  }

  /**
   * Makes room for a download: evicts least recently used files until the cached files, the downloads in flight
   * and this one fit in the bound. False when they cannot (or the cache cannot be read): stream it uncached.
   */
  private boolean reserve(long size) {
    synchronized (budget) {
      try {
        List<Entry> entries = entries();
        long total = budget.inFlight + size;
        for (Entry e : entries) {
          total += e.size;
        }
        entries.sort(Comparator.comparing((Entry e) -> e.lastUsed));
        for (int i = 0; i < entries.size() && total > maxBytes; i++) {
          try {
            Files.deleteIfExists(entries.get(i).path);
            total -= entries.get(i).size;
          } catch (IOException inUse) {
            // held elsewhere; try the next one
          }
        }
        if (total > maxBytes) {
          return false;
        }
        budget.inFlight += size;
        return true;
      } catch (IOException e) {
        fault("listing " + objects, e);
        return false;
      }
    }
  }

  private void release(long size) {
    synchronized (budget) {
      budget.inFlight -= size;
    }
  }

  /**
   * A cached file's bytes that, when the disk fails mid-read, continue from the source at the same offset: being
   * content-addressed they are the same bytes, so the reader does not see the switch (and verifies them as usual).
   */
  private final class FailoverStream extends InputStream {

    private final Path file;
    private final String sha256;
    private final Source source;
    private InputStream in;
    private boolean onSource;
    private long position;

    FailoverStream(FileChannel cached, Path file, String sha256, Source source) throws IOException {
      this.in = Channels.newInputStream(cached.position(0));
      this.file = file;
      this.sha256 = sha256;
      this.source = source;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        if (onSource) {
          throw e;
        }
        fault("reading " + file, e);
        closeAfter(in, e);
        invalidate(sha256);
        in = source.open();
        onSource = true;
        in.skipNBytes(position);
        n = in.read(b, off, len);
      }
      if (n > 0) {
        position += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  private void fault(String doing, IOException e) {
    Level level = faultLogged.compareAndSet(false, true) ? Level.WARNING : Level.DEBUG;
    LOG.log(level, () -> "the file cache in " + root + " failed " + doing + " (" + e + "): reading from the"
        + " remote store instead, uncached. Free space or repair the directory, or choose another with"
        + " Registry.builder().cache(dir, bytes) or $ARCA_CACHE; further cache failures are logged at debug level",
        e);
  }

  private static void closeAfter(java.io.Closeable closeable, Exception failure) {
    try {
      closeable.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
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
        } catch (NoSuchFileException | NotDirectoryException gone) {
          // shard removed meanwhile, or not a shard
        }
      }
    } catch (NoSuchFileException nothingCachedYet) {
      // created by the first download
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
