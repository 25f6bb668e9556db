package dev.arca.backend.local;

import dev.arca.registry.BackendException;
import dev.arca.registry.spi.BlobContent;
import dev.arca.registry.spi.BlobInfo;
import dev.arca.registry.spi.BlobOutput;
import dev.arca.registry.spi.BlobStore;
import dev.arca.registry.spi.Capabilities;
import dev.arca.registry.spi.Condition;
import dev.arca.registry.spi.ListPage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A {@link BlobStore} on a local directory, atomic and durable, safe for many threads and many processes on
 * one host.
 *
 * <h2>How writes publish</h2>
 * Bytes go to a temp file beside the target, which is forced to disk, then published in one step: an
 * unconditional write renames it over the target; create-if-absent hard-links it to the target name
 * ({@link Files#createLink} fails if the name exists, atomically); replace-if-match and delete-if-match check
 * the etag and act while holding a lock on a sidecar file (a JVM-wide lock plus a {@link FileChannel} lock, so
 * threads and processes exclude each other). The directory is then forced, so a committed write survives a
 * crash. No reader ever sees a half-written file under a final name.
 *
 * <h2>Etags</h2>
 * An etag is the file's modification time (set explicitly, in microseconds, and strictly increasing on each
 * replace of a key), identity (device and inode) and size, all from one {@code lstat}. A replace always publishes a new inode with a later time, so a stale etag
 * never matches a later file.
 *
 * <h2>Layout</h2>
 * A key maps to the path of the same segments. A segment longer than 200 characters (a long percent-encoded
 * name) is split into 200-character directories ending with {@code ~}; names starting with {@code ~} are temp
 * and lock files. Keys never contain {@code ~}, so neither can collide with a key. A temp file's name carries its
 * writer's pid; {@link #removeAbandonedWrites()}, which an applied janitor calls, deletes those whose writer is gone
 * (a process killed mid-write). Listings only hide them, so a dry run changes nothing.
 *
 * <p>Thread-safe.
 */
public final class LocalBlobStore implements BlobStore {

  private static final int CHUNK = 200;
  private static final String CONTINUED = "~";
  private static final String TEMP_PREFIX = "~tmp-";
  private static final long PID = ProcessHandle.current().pid();
  private static final String LOCK_PREFIX = "~lock-";
  /** Times a read may find the file replaced between its stat and its open before it gives up (microseconds each). */
  private static final int REREADS = 50;
  private static final int BUFFER = 64 * 1024;
  private static final ReentrantLock[] JVM_LOCKS = new ReentrantLock[256];

  static {
    for (int i = 0; i < JVM_LOCKS.length; i++) {
      JVM_LOCKS[i] = new ReentrantLock();
    }
  }

  private final Path root;
  private final boolean fsync;

  /**
   * Opens a store rooted at {@code root}. Opening writes nothing: a missing directory reads as empty, and the first
   * write creates it (with its missing parents), so a mistyped location does not become a directory until a write
   * goes to it.
   *
   * @param root the directory
   * @param fsync whether to force files and directories to disk on every write (durable across power loss)
   */
  public LocalBlobStore(Path root, boolean fsync) {
    this.root = root.toAbsolutePath().normalize();
    this.fsync = fsync;
  }

  /**
   * The root directory.
   *
   * @return the absolute root
   */
  public Path root() {
    return root;
  }

  @Override
  public String scheme() {
    return "file";
  }

  @Override
  public Capabilities capabilities() {
    return Capabilities.full();
  }

  @Override
  public BlobOutput create(String key, Condition condition) throws IOException {
    Path target = path(key);
    Path temp = newTempFile(target.getParent());
    return new LocalOutput(target, temp, condition);
  }

  @Override
  public Optional<BlobContent> get(String key, long offset, long length) throws IOException {
    Path file = path(key);
    for (int attempt = 1; ; attempt++) {
      if (attempt > REREADS) {
        throw BackendException.replacedWhileRead(scheme(), key, REREADS, null);
      }
      Optional<BlobInfo> before = head(key, file);
      if (before.isEmpty()) {
        return Optional.empty();
      }
      FileChannel channel;
      try {
        channel = FileChannel.open(file, StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        continue; // deleted between stat and open: look again
      }
      Optional<BlobInfo> after = head(key, file);
      if (after.isEmpty() || !after.get().etag().equals(before.get().etag())) {
        channel.close(); // replaced between stat and open: the etag might not describe these bytes
        continue;
      }
      channel.position(offset);
      InputStream in = Channels.newInputStream(channel);
      if (length >= 0) {
        in = new BoundedInputStream(in, length);
      }
      return Optional.of(new BlobContent(before.get(), in));
    }
  }

  @Override
  public Optional<BlobInfo> head(String key) throws IOException {
    return head(key, path(key));
  }

  private Optional<BlobInfo> head(String key, Path file) throws IOException {
    try {
      return info(key, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private static Optional<BlobInfo> info(String key, BasicFileAttributes a) {
    if (!a.isRegularFile()) {
      return Optional.empty();
    }
    return Optional.of(new BlobInfo(key, a.size(), etag(a.lastModifiedTime(), a.fileKey(), a.size()),
        a.lastModifiedTime().toInstant()));
  }

  /** Modification time in microseconds, file identity (device and inode on Unix) and size. */
  private static String etag(FileTime modified, @Nullable Object fileKey, long size) {
    long micros = modified.to(java.util.concurrent.TimeUnit.MICROSECONDS);
    return Long.toHexString(micros) + "-" + Integer.toHexString(java.util.Objects.hashCode(fileKey)) + "-"
        + Long.toHexString(size);
  }

  @Override
  public ListPage list(String prefix, boolean delimited, @Nullable String pageToken) throws IOException {
    BlobStore.requirePrefix(prefix);
    Path dir = prefix.isEmpty() ? root : path(prefix.substring(0, prefix.length() - 1));
    List<BlobInfo> blobs = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      collect(dir, prefix, delimited, blobs, prefixes);
    }
    blobs.sort(Comparator.comparing(BlobInfo::key));
    prefixes.sort(null);
    return new ListPage(blobs, prefixes, null);
  }

  private void collect(Path dir, String prefix, boolean delimited, List<BlobInfo> blobs, List<String> prefixes)
      throws IOException {
    for (Child child : children(dir, "")) {
      String key = prefix + child.segment;
      if (!child.directory) {
        info(key, child.attributes).ifPresent(blobs::add);
      } else if (delimited) {
        if (hasVisibleContent(child.path)) {
          prefixes.add(key + "/");
        }
      } else {
        collect(child.path, key + "/", false, blobs, prefixes);
      }
    }
  }

  /** The logical entries of a directory: continuation directories joined into whole segments, ~ names hidden. */
  private List<Child> children(Path dir, String segmentPrefix) throws IOException {
    List<Child> children = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith("~")) {
          continue; // temp and lock files: removeAbandonedWrites reclaims a dead writer's temp files
        }
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException removedMeanwhile) {
          continue;
        }
        boolean directory = attributes.isDirectory();
        if (directory && name.endsWith(CONTINUED)) {
          children.addAll(children(entry, segmentPrefix + name.substring(0, name.length() - 1)));
        } else {
          children.add(new Child(segmentPrefix + name, entry, directory, attributes));
        }
      }
    } catch (NoSuchFileException removedMeanwhile) {
      // a concurrent delete removed the directory: it has no entries
    }
    return children;
  }

  /**
   * Deletes every temp file under the root whose writer process is gone (see {@link #sweepIfAbandoned}). Writers
   * that are alive, and everything else, are left alone.
   */
  @Override
  public void removeAbandonedWrites() throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        String name = file.getFileName().toString();
        if (name.startsWith(TEMP_PREFIX)) {
          sweepIfAbandoned(file, name);
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // removed meanwhile (a delete, or an emptied directory tidied)
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, @Nullable IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Deletes a temp file whose writer process is gone (killed mid-write): its name carries the writer's pid. A live
   * writer's temp file is never touched; a reused pid only keeps a dead one longer.
   */
  private void sweepIfAbandoned(Path temp, String name) {
    int end = name.indexOf('-', TEMP_PREFIX.length());
    if (end < 0) {
      return;
    }
    try {
      long pid = Long.parseLong(name.substring(TEMP_PREFIX.length(), end));
      if (ProcessHandle.of(pid).isEmpty()) {
        Files.deleteIfExists(temp);
        removeEmptyParents(temp.getParent());
      }
    } catch (NumberFormatException | IOException ignored) {
      // not ours, or already gone: listings hide it either way
    }
  }

  private boolean hasVisibleContent(Path dir) throws IOException {
    for (Child child : children(dir, "")) {
      if (!child.directory || hasVisibleContent(child.path)) {
        return true;
      }
    }
    return false;
  }

  private record Child(String segment, Path path, boolean directory, BasicFileAttributes attributes) {}

  /** The host's clock, which stamps every file's modification time. */
  @Override
  public Optional<Instant> now() {
    return Optional.of(Instant.now());
  }

  @Override
  public boolean delete(String key, Condition condition) throws IOException {
    Path file = path(key);
    boolean deleted;
    if (condition instanceof Condition.IfMatch match) {
      try (SidecarLock ignored = lock(file)) {
        Optional<BlobInfo> current = head(key, file);
        deleted = current.isPresent() && current.get().etag().equals(match.etag()) && Files.deleteIfExists(file);
      }
    } else if (condition instanceof Condition.None) {
      deleted = Files.deleteIfExists(file);
    } else {
      throw new IllegalArgumentException("delete takes Condition.NONE or ifMatch, not " + condition);
    }
    if (deleted) {
      syncDirectory(file.getParent());
      removeEmptyParents(file.getParent());
    }
    return deleted;
  }

  @Override
  public void close() {
    // nothing held between calls
  }

  @Override
  public String toString() {
    return "LocalBlobStore{" + root + (fsync ? "" : ", fsync=false") + "}";
  }

  // ---------------------------------------------------------------- paths and directories

  private Path path(String key) {
    BlobStore.requireKey(key);
    Path p = root;
    for (String segment : key.split("/")) {
      while (segment.length() > CHUNK) {
        // a rest of "." or ".." would name this directory or its parent: cut shorter, the join is the same
        int cut = segment.length() - CHUNK <= 2 && segment.substring(CHUNK).matches("\\.\\.?") ? CHUNK - 2 : CHUNK;
        p = p.resolve(segment.substring(0, cut) + CONTINUED);
        segment = segment.substring(cut);
      }
      p = p.resolve(segment);
    }
    return p;
  }

  /**
   * Creates a temp file in {@code dir}, creating (and syncing) missing directories; retried if a delete races.
   * Created like any file (0666 under the umask), not with {@link Files#createTempFile}'s 0600, so a group sharing
   * the registry on one host can read what each member writes.
   */
  private Path newTempFile(Path dir) throws IOException {
    for (int attempt = 0; ; attempt++) {
      ensureDirectory(dir);
      String unique = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
      Path temp = dir.resolve(TEMP_PREFIX + PID + "-" + unique);
      try {
        return Files.createFile(temp);
      } catch (FileAlreadyExistsException taken) {
        // another writer drew the same name: draw again
      } catch (NoSuchFileException e) {
        if (attempt >= 100) {
          throw e;
        }
        // an emptied directory was removed between its creation and ours: create it again
      }
    }
  }

  private void ensureDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    ensureDirectory(dir.getParent()); // up to the root and beyond: the first write creates the root too
    try {
      Files.createDirectory(dir);
      syncDirectory(dir.getParent());
    } catch (FileAlreadyExistsException raced) {
      // another writer created it
    }
  }

  private void removeEmptyParents(Path dir) {
    for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (DirectoryNotEmptyException | NoSuchFileException stop) {
        return;
      } catch (IOException e) {
        return; // best-effort tidying; empty directories are hidden from listings anyway
      }
    }
  }

  private void syncDirectory(Path dir) throws IOException {
    if (!fsync) {
      return;
    }
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (NoSuchFileException removedMeanwhile) {
      // nothing left to make durable
    }
  }

  // ---------------------------------------------------------------- locking

  private SidecarLock lock(Path file) throws IOException {
    Path sidecar = file.resolveSibling(LOCK_PREFIX + file.getFileName());
    ReentrantLock jvmLock = JVM_LOCKS[Math.floorMod(sidecar.hashCode(), JVM_LOCKS.length)];
    jvmLock.lock();
    try {
      ensureDirectory(sidecar.getParent());
      FileChannel channel = FileChannel.open(sidecar, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        return new SidecarLock(jvmLock, channel, channel.lock());
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      jvmLock.unlock();
      throw e;
    }
  }

  /** A held JVM lock plus a held file lock on a sidecar file; closing releases both. */
  private record SidecarLock(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        fileLock.release();
        channel.close();
      } finally {
        jvmLock.unlock();
      }
    }
  }

  // ---------------------------------------------------------------- writes

  /** A write to a temp file, published by {@link #commit()}. */
  private final class LocalOutput extends BlobOutput {
    private final Path target;
    private final Path temp;
    private final Condition condition;
    private final FileChannel channel;
    private final OutputStream out;
    private boolean done;

    LocalOutput(Path target, Path temp, Condition condition) throws IOException {
      this.target = target;
      this.temp = temp;
      this.condition = condition;
      this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
      this.out = new java.io.BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public Optional<String> commit() throws IOException {
      if (done) {
        throw new IllegalStateException("already committed or closed");
      }
      done = true;
      try {
        out.flush();
        if (fsync) {
          channel.force(false);
        }
        channel.close();
        Optional<String> etag = publish();
        if (etag.isPresent()) {
          syncDirectory(target.getParent());
        }
        return etag;
      } finally {
        Files.deleteIfExists(temp);
      }
    }

    private Optional<String> publish() throws IOException {
      String key = target.toString();
      if (condition instanceof Condition.IfAbsent) {
        stamp(Instant.now());
        try {
          Files.createLink(target, temp);
        } catch (FileAlreadyExistsException exists) {
          return Optional.empty();
        }
        return head(key, target).map(BlobInfo::etag);
      }
      if (condition instanceof Condition.IfMatch match) {
        try (SidecarLock ignored = lock(target)) {
          Optional<BlobInfo> current = head(key, target);
          if (current.isEmpty() || !current.get().etag().equals(match.etag())) {
            return Optional.empty();
          }
          Instant now = Instant.now();
          Instant floor = current.get().lastModified().plus(1, ChronoUnit.MICROS);
          stamp(now.isAfter(floor) ? now : floor);
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
          return head(key, target).map(BlobInfo::etag);
        }
      }
      stamp(Instant.now());
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return Optional.of(head(key, target).map(BlobInfo::etag).orElse("gone"));
    }

    private void stamp(Instant when) throws IOException {
      Files.setLastModifiedTime(temp, FileTime.from(when.truncatedTo(ChronoUnit.MICROS)));
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** Reads at most {@code remaining} bytes. */
  private static final class BoundedInputStream extends java.io.FilterInputStream {
    private long remaining;

    BoundedInputStream(InputStream in, long limit) {
      super(in);
      this.remaining = limit;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = in.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }
  }
}
