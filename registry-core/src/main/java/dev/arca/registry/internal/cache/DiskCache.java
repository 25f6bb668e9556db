package dev.arca.registry.internal.cache;

import dev.arca.registry.internal.io.Sha256;
import dev.arca.registry.internal.io.VerifyingInputStream;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A content-addressed file cache: each file is stored once under its sha256, whoever asked for it. Several JVMs
 * may share one directory: files appear only by atomic rename of a fully written and verified temp file, and no
 * lock is held while downloading (two processes fetching one file both download it and the second rename
 * replaces the first with identical bytes). Least recently used files are evicted first. Thread-safe.
 *
 * <h2>Misses</h2>
 * A miss reads the remote once: its bytes go to the reader as they arrive and, on the way, into a partial download,
 * which is renamed into place when the reader reaches the end and size and sha256 matched (the stream the reader
 * gets is the {@link VerifyingInputStream} that checks them, so a caller's own verification reuses it instead of
 * hashing again). A reader that stops early, bytes that do not match and a failing disk leave nothing cached.
 *
 * <h2>Index</h2>
 * Each JVM keeps an index of a directory (shared by its instances on that directory): the files with their sizes in
 * least recently used order, built by one walk of the directory at the first miss and then kept by this JVM's own
 * fills, uses and evictions, so a miss costs no walk. Other processes' changes are learned as they are met: a file
 * another process cached is added when it is read, one another process evicted is dropped when found missing (a
 * miss), and evicting a file already gone is harmless. Use is also recorded as the file's modification time, which
 * orders the next walk.
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
 * Within one JVM, the cached files it knows of plus its downloads in flight stay within {@link #maxBytes()}
 * (registries of one JVM sharing a directory share its index and reservations; give them the same bound): a
 * download first reserves its size, evicting least recently used files as needed, and a file that does not fit
 * beside the downloads already in flight is streamed uncached. A file larger than the bound is never cached. A
 * reservation lasts until the reader reaches the end or closes the stream. Across processes the bound is
 * approximate: a process does not count the files others cached after its walk until it reads them, nor their
 * downloads in flight, so with several processes filling one directory it holds up to the bound per process.
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
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  /** This JVM's downloads in flight, whichever instance runs them, so a sweep never takes one for a leftover. */
  private static final Set<Path> OWN_PARTS = ConcurrentHashMap.newKeySet();
  /** Per directory, so that registries of one JVM sharing a directory share its index and bound. */
  private static final ConcurrentHashMap<Path, Index> INDEXES = new ConcurrentHashMap<>();

  /**
   * What this JVM knows of one directory: its cached files, their total size and the bytes reserved by downloads
   * in flight. Guarded by itself; held only for local file operations (a walk, evictions), never while reading a
   * source.
   */
  private static final class Index {
    /** sha256 to size, least recently used first. */
    final LinkedHashMap<String, Long> files = new LinkedHashMap<>(1024, 0.75f, true);
    boolean loaded;
    long cachedBytes;
    long inFlight;

    void put(String sha256, long size) {
      Long old = files.put(sha256, size);
      cachedBytes += size - (old == null ? 0 : old);
    }

    void remove(String sha256) {
      Long old = files.remove(sha256);
      if (old != null) {
        cachedBytes -= old;
      }
    }
  }

  private final Path root;
  private final Path objects;
  private final Path temp;
  private final long maxBytes;
  private final AtomicBoolean swept = new AtomicBoolean();
  private final AtomicBoolean faultLogged = new AtomicBoolean();
  private final Index index;

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
    this.index = INDEXES.computeIfAbsent(this.root, r -> new Index());
  }

  public Path root() {
    return root;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * The bytes of a file: its cached copy, else the source's bytes, stored in the cache on the way (published when
   * the reader reaches their end and their size and sha256 matched), else, when the cache cannot hold it, the
   * source's bytes uncached. The caller closes the stream.
   *
   * @param sha256 the file's sha256
   * @param size its size
   * @param checkCached whether a cached copy is hashed before its first byte is served (a corrupt one is dropped
   *     and fetched again); for readers that pass bytes on as they read them, so cannot start over when a check
   *     at the end fails
   * @param source the remote copy
   * @param what the file, for messages
   * @return the bytes; on a miss that fills the cache, a {@link VerifyingInputStream} whose end throws
   *     {@link dev.arca.registry.IntegrityException} when they do not match (nothing is cached then)
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
    return fill(file, sha256, size, source, what);
  }

  /** Drops a cached file (found corrupt). */
  public void invalidate(String sha256) {
    try {
      Files.deleteIfExists(path(sha256));
    } catch (IOException ignored) {
      // another process may hold it open on a system that forbids deletion; it is re-verified on use anyway
    }
    synchronized (index) {
      index.remove(sha256);
    }
  }

  /** Total bytes of cached files, as a walk of the directory finds them now (other processes' files included). */
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
      synchronized (index) {
        index.remove(e.sha256);
      }
    }
  }

  private Optional<InputStream> openCached(Path file, String sha256, long size, boolean check, Source source,
      String what) throws IOException {
    FileChannel channel = openIfPresent(file);
    if (channel == null) {
      synchronized (index) {
        index.remove(sha256); // another process evicted it, if this one knew it
      }
      return Optional.empty();
    }
    try {
      markUsed(file, sha256, size);
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

  /**
   * The file opened for reading, or null when it is not there. java.io answers "not there" without an exception;
   * NIO's exceptions (a stack trace each) would be most of the CPU a miss costs.
   */
  private static @Nullable FileChannel openIfPresent(Path file) throws IOException {
    if (!file.toFile().isFile()) {
      return null;
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException evictedMeanwhile) {
      return null;
    }
  }

  /** Creates a directory unless it is there, checked without an exception (see {@link #openIfPresent}). */
  private static void ensureDirectory(Path dir) throws IOException {
    if (!dir.toFile().isDirectory()) {
      Files.createDirectories(dir);
    }
  }

  /** Moves a file to the recently used end of the index (adding it if another process cached it) and on disk. */
  private void markUsed(Path file, String sha256, long size) {
    synchronized (index) {
      if (index.loaded) {
        index.put(sha256, size);
      }
    }
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
   * Streams the source to the reader through a partial download, with the reservation of {@code size} bytes
   * already taken. When the cache cannot even start one, the source's bytes are served uncached.
   */
  private InputStream fill(Path target, String sha256, long size, Source source, String what) throws IOException {
    Path part = temp.resolve(PART_PREFIX + PID + "-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong())
        + PART_SUFFIX);
    OWN_PARTS.add(part);
    FileChannel channel;
    try {
      ensureDirectory(temp);
      sweepOnce();
      channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (IOException e) {
      OWN_PARTS.remove(part);
      release(size);
      fault("creating " + part, e);
      return source.open();
    }
    Filling filling = new Filling(channel, part, target, sha256, size);
    try {
      filling.source = source.open();
    } catch (IOException | RuntimeException e) {
      filling.abandon();
      throw e;
    }
    return new VerifyingInputStream(filling, size, sha256, what, filling::publish);
  }

  /**
   * The source's bytes, copied into a partial download as the reader takes them. The verifying stream around it
   * calls {@link #publish} at a matching end; anything else (an early close, a mismatch, a source failure, a disk
   * failure) discards the download. Either way the reservation is given back once. Writes go out in chunks of up
   * to 1 MiB, not one per read (a reader reading 8 KiB at a time would otherwise cost 128 writes per MiB). Used
   * by one reader thread.
   */
  private final class Filling extends InputStream {

    private final Path part;
    private final Path target;
    private final String sha256;
    private final long size;
    private @Nullable FileChannel channel;
    private InputStream source = InputStream.nullInputStream();
    private final byte[] pending;
    private int pendingBytes;
    private long written;
    private boolean settled;

    Filling(FileChannel channel, Path part, Path target, String sha256, long size) {
      this.channel = channel;
      this.part = part;
      this.target = target;
      this.sha256 = sha256;
      this.size = size;
      this.pending = new byte[(int) Math.max(1, Math.min(size, CHUNK))];
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = source.read(b, off, len);
      if (n > 0 && channel != null) {
        written += n;
        if (written > size) {
          abandon(); // longer than recorded: the verifying stream fails the read
        } else {
          store(b, off, n);
        }
      }
      return n;
    }

    private void store(byte[] b, int off, int n) {
      try {
        while (n > 0) {
          int k = Math.min(n, pending.length - pendingBytes);
          System.arraycopy(b, off, pending, pendingBytes, k);
          pendingBytes += k;
          off += k;
          n -= k;
          if (pendingBytes == pending.length) {
            writePending();
          }
        }
      } catch (IOException e) {
        fault("writing " + part, e); // the disk failed midway: the reader goes on with the source's bytes
        abandon();
      }
    }

    private void writePending() throws IOException {
      ByteBuffer chunk = ByteBuffer.wrap(pending, 0, pendingBytes);
      while (chunk.hasRemaining()) {
        channel.write(chunk);
      }
      pendingBytes = 0;
    }

    /** At the end of matching bytes: renames the download into place. */
    void publish() {
      if (settled || channel == null) {
        abandon();
        return;
      }
      try {
        writePending();
        channel.close();
        channel = null;
        ensureDirectory(target.getParent());
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        OWN_PARTS.remove(part);
        settled = true;
        synchronized (index) {
          index.inFlight -= size; // counted as cached and no longer in flight at once
          index.put(sha256, size);
        }
      } catch (IOException e) {
        fault("storing " + target, e); // the bytes were verified and served: they stay uncached
        abandon();
      }
    }

    /** Discards the download and gives the reservation back, once. */
    void abandon() {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException ignored) {
          // deleted next
        }
        channel = null;
      }
      if (settled) {
        return;
      }
      settled = true;
      try {
        Files.deleteIfExists(part);
      } catch (IOException e) {
        fault("deleting " + part, e);
      }
      OWN_PARTS.remove(part);
      release(size);
    }

    @Override
    public void close() throws IOException {
      try {
        source.close();
      } finally {
        abandon();
      }
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
   * and this one fit in the bound. False when they cannot (or the cache cannot be read): stream it uncached. The
   * first call of this JVM on the directory walks it to build the index.
   */
  private boolean reserve(long size) {
    synchronized (index) {
      if (!index.loaded) {
        try {
          List<Entry> found = entries();
          found.sort(Comparator.comparing((Entry e) -> e.lastUsed));
          for (Entry e : found) {
            index.put(e.sha256, e.size);
          }
          index.loaded = true;
        } catch (IOException e) {
          fault("listing " + objects, e);
          return false;
        }
      }
      if (index.inFlight + size > maxBytes) {
        return false; // no eviction could make room beside the fetches in flight: stream it uncached
      }
      long total = index.cachedBytes + index.inFlight + size;
      for (Iterator<Map.Entry<String, Long>> lru = index.files.entrySet().iterator();
          total > maxBytes && lru.hasNext(); ) {
        Map.Entry<String, Long> eldest = lru.next();
        try {
          Files.deleteIfExists(path(eldest.getKey())); // gone already when another process evicted it
        } catch (IOException inUse) {
          continue; // held elsewhere; try the next one
        }
        total -= eldest.getValue();
        index.cachedBytes -= eldest.getValue();
        lru.remove();
      }
      if (total > maxBytes) {
        return false;
      }
      index.inFlight += size;
      return true;
    }
  }

  private void release(long size) {
    synchronized (index) {
      index.inFlight -= size;
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

  private record Entry(Path path, String sha256, long size, FileTime lastUsed) {}

  private List<Entry> entries() throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> shards = Files.newDirectoryStream(objects)) {
      for (Path shard : shards) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
          for (Path f : files) {
            String name = f.getFileName().toString();
            if (!SHA256.matcher(name).matches()) {
              continue;
            }
            try {
              BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
              entries.add(new Entry(f, name, a.size(), a.lastModifiedTime()));
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
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a sha256: " + sha256);
    }
    return objects.resolve(sha256.substring(0, 2)).resolve(sha256);
  }
}
