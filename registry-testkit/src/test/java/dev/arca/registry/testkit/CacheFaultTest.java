package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.FileEntry;
import dev.arca.registry.IntegrityException;
import dev.arca.registry.Registry;
import dev.arca.registry.internal.cache.DiskCache;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache is an optimisation: when its storage fails, reads stream from the remote (still verified); when a
 * cached file is corrupt, every way of reading repairs it; it cleans up after killed processes; and it keeps its
 * bound under concurrent fetches.
 *
 * <p>The storage faults are real ones from the kernel, not mocks. The tests run as root, for whom permissions do not
 * stop a write, so each fault is made another way: a regular file where the cache directory's parent must be
 * (ENOTDIR on every open and create beneath it, as an unwritable or unmounted cache directory), a shard that is a
 * link to nowhere (the download succeeds, storing it fails), a directory where a cached file should be (it opens,
 * every read fails with EISDIR, as a disk's I/O error), and a child JVM whose files may not grow past 256 KiB
 * ({@code ulimit -f}: writes fail midway with EFBIG, as they do with ENOSPC on a full disk).
 */
class CacheFaultTest {

  @TempDir Path work;
  private final InMemoryBlobStore remote = InMemoryBlobStore.builder().remote().build();
  private final CacheLog cacheLog = new CacheLog();

  @AfterEach
  void releaseCacheLog() {
    cacheLog.close();
  }

  /** Records what the disk cache logs, instead of printing it; {@link #close()} restores the logger. */
  static final class CacheLog extends Handler {
    // held strongly: java.util.logging keeps loggers weakly
    private final Logger logger = Logger.getLogger(DiskCache.class.getName());
    private final List<LogRecord> records = new ArrayList<>();

    CacheLog() {
      logger.setUseParentHandlers(false);
      logger.setLevel(Level.ALL);
      logger.addHandler(this);
    }

    synchronized List<LogRecord> warnings() {
      return records.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).toList();
    }

    synchronized List<LogRecord> all() {
      return List.copyOf(records);
    }

    @Override
    public synchronized void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      logger.removeHandler(this);
      logger.setLevel(null);
      logger.setUseParentHandlers(true);
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private Registry open(Path cacheDir, long bound) {
    return Registry.builder().blobStore(remote).cache(cacheDir, bound).build();
  }

  private static List<Path> filesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static long bytesUnder(Path dir) throws IOException {
    long total = 0;
    for (Path f : filesUnder(dir)) {
      total += Files.size(f);
    }
    return total;
  }

  private static byte[] readOpenFile(Registry registry, String key) throws IOException {
    FileEntry file = registry.info(key).files().get(0);
    try (InputStream in = registry.openFile(key, file.path())) {
      return in.readAllBytes();
    }
  }

  @Test
  void cacheDirectoryThatCannotBeCreated_everyReadStreamsFromTheRemote_andItIsLoggedOnce() throws IOException {
    Path notADirectory = Files.writeString(work.resolve("not-a-directory"), "a regular file");
    Path cacheDir = notADirectory.resolve("cache");
    byte[] data = random(10_000, 1);

    try (Registry registry = open(cacheDir, 1 << 20)) {
      registry.save("m@1.0.0", data);

      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(readOpenFile(registry, "m@1.0.0")).isEqualTo(data);
      assertThat(registry.copyTo("m@1.0.0", Registry.builder().blobStore(InMemoryBlobStore.create()).build())
          .copied()).isTrue();
    }
    assertThat(cacheLog.warnings()).as("one warning for the faulty cache, not one per read").hasSize(1);
    assertThat(cacheLog.warnings().get(0).getMessage()).contains(cacheDir.toString());
  }

  @Test
  void cacheThatCannotBeWritten_stillVerifiesWhatItStreamsFromTheRemote() throws IOException {
    Path cacheDir = Files.writeString(work.resolve("not-a-directory"), "a regular file").resolve("cache");
    try (Registry registry = open(cacheDir, 1 << 20)) {
      registry.save("m@1.0.0", random(10_000, 2));
      String fileKey = remote.keys().stream().filter(k -> k.startsWith("objects/")).findFirst().orElseThrow();
      remote.corrupt(fileKey, random(10_000, 3));

      assertThatThrownBy(() -> registry.get("m@1.0.0", byte[].class)).isInstanceOf(IntegrityException.class);
      assertThatThrownBy(() -> readOpenFile(registry, "m@1.0.0")).isInstanceOf(IntegrityException.class);
    }
  }

  @Test
  void faultWhenAFetchedFileLandsInTheCache_theReadsStillSucceed_andItIsLoggedOnce() throws IOException {
    Path cacheDir = work.resolve("cache");
    byte[] data = random(10_000, 4);
    try (Registry registry = open(cacheDir, 1 << 20)) {
      registry.save("m@1.0.0", data);
      // the file's shard is a link to nowhere: the file is not there (ENOENT), the download succeeds, and the
      // shard cannot be created to store it (EEXIST, not a directory)
      Path shard = shardOf(registry, cacheDir, "m@1.0.0");
      Files.createDirectories(shard.getParent());
      Files.createSymbolicLink(shard, work.resolve("nowhere"));

      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(readOpenFile(registry, "m@1.0.0")).isEqualTo(data);
      assertThat(filesUnder(cacheDir.resolve("tmp"))).as("no partial download left behind").isEmpty();
    }
    assertThat(cacheLog.warnings()).hasSize(1);
  }

  @Test
  void diskFullWhileDownloadingIntoTheCache_theReadStillSucceeds_andItIsLoggedOnce() throws Exception {
    // A real write failure midway: the child may write no file over 256 KiB (ulimit -f, the kernel answers EFBIG
    // as it would ENOSPC or EDQUOT; the JVM ignores SIGXFSZ), and it loads a 1 MiB file twice through the cache.
    Path cacheDir = work.resolve("cache");
    List<String> command = List.of("bash", "-c", "ulimit -f 256 && exec \"$0\" \"$@\"", ChildJvm.javaBinary(),
        "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), FileSizeLimitedChild.class.getName(),
        cacheDir.toString());
    Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();

    assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(out).isEqualTo("loads intact: 2, cache warnings: 1, write failures: 2");
    assertThat(child.exitValue()).isZero();
    assertThat(filesUnder(cacheDir)).as("neither a partial download nor a cut-short file").isEmpty();
  }

  /** Loads a 1 MiB file twice through a cache whose disk refuses it; prints what it saw. */
  static final class FileSizeLimitedChild {
    public static void main(String[] args) throws IOException {
      CacheLog log = new CacheLog();
      byte[] data = random(1 << 20, 20);
      int intact = 0;
      try (Registry registry = Registry.builder().blobStore(InMemoryBlobStore.builder().remote().build())
          .cache(Path.of(args[0]), 8 << 20).build()) {
        registry.save("m@1.0.0", data);
        for (int i = 0; i < 2; i++) {
          intact += java.util.Arrays.equals(registry.get("m@1.0.0", byte[].class), data) ? 1 : 0;
        }
      }
      long warnings = log.warnings().size();
      long writeFailures = log.all().stream().filter(r -> r.getThrown() != null
          && String.valueOf(r.getThrown().getMessage()).contains("File too large")).count();
      System.out.println("loads intact: " + intact + ", cache warnings: " + warnings + ", write failures: "
          + writeFailures);
    }
  }

  @Test
  void faultReadingACachedFile_theReadsContinueFromTheRemote_andItIsLoggedOnce() throws IOException {
    Path cacheDir = work.resolve("cache");
    byte[] data = random(10_000, 5);
    try (Registry registry = open(cacheDir, 1 << 20)) {
      registry.save("m@1.0.0", data);
      // a directory where the cached file should be: it opens, and every read fails (EISDIR)
      String sha256 = registry.info("m@1.0.0").files().get(0).sha256();
      Files.createDirectories(shardOf(registry, cacheDir, "m@1.0.0").resolve(sha256).resolve("stuck"));

      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(readOpenFile(registry, "m@1.0.0")).isEqualTo(data);
    }
    assertThat(cacheLog.warnings()).hasSize(1);
  }

  private static Path shardOf(Registry registry, Path cacheDir, String key) {
    return cacheDir.resolve("sha256").resolve(registry.info(key).files().get(0).sha256().substring(0, 2));
  }

  @Test
  void corruptCachedFile_readThroughOpenFile_isDroppedAndRefetched() throws IOException {
    Path cacheDir = work.resolve("cache");
    byte[] data = random(10_000, 15);
    try (Registry registry = open(cacheDir, 1 << 20)) {
      registry.save("m@1.0.0", data);
      registry.get("m@1.0.0", byte[].class);
      Path cached = filesUnder(cacheDir.resolve("sha256")).get(0);
      flipAByte(cached);

      assertThat(readOpenFile(registry, "m@1.0.0")).isEqualTo(data);
      assertThat(Files.readAllBytes(cached)).as("the cache holds the good bytes again").isEqualTo(data);
    }
  }

  @Test
  void corruptCachedFile_readThroughCopyTo_isDroppedAndRefetched() throws IOException {
    Path cacheDir = work.resolve("cache");
    byte[] data = random(10_000, 6);
    try (Registry registry = open(cacheDir, 1 << 20);
        Registry target = Registry.builder().blobStore(InMemoryBlobStore.create()).build()) {
      registry.save("m@1.0.0", data);
      registry.get("m@1.0.0", byte[].class);
      Path cached = filesUnder(cacheDir.resolve("sha256")).get(0);
      flipAByte(cached);

      assertThat(registry.copyTo("m@1.0.0", target).copied()).isTrue();
      assertThat(target.get("m@1.0.0", byte[].class)).isEqualTo(data);
      assertThat(Files.readAllBytes(cached)).as("the cache holds the good bytes again").isEqualTo(data);
    }
  }

  private static void flipAByte(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(file, bytes);
  }

  @Test
  void partialDownloadOfAProcessThatIsGone_isSwept_andALiveProcesssIsKept() throws Exception {
    Path cacheDir = work.resolve("cache");
    Path tmp = Files.createDirectories(cacheDir.resolve("tmp"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Process live = new ProcessBuilder("sleep", "300").start();
    try {
      // the names a download in flight has: part-<pid of its process>-<random>.part
      Path leftover = Files.write(tmp.resolve("part-" + gone.pid() + "-1.part"), random(5_000, 7));
      Path inFlight = Files.write(tmp.resolve("part-" + live.pid() + "-2.part"), random(5_000, 8));
      byte[] data = random(10_000, 9);
      try (Registry registry = open(cacheDir, 1 << 20)) {
        registry.save("m@1.0.0", data);

        assertThat(registry.get("m@1.0.0", byte[].class)).isEqualTo(data);
      }
      assertThat(leftover).as("the partial download of a process that is gone").doesNotExist();
      assertThat(inFlight).as("another live process's download").exists();
    } finally {
      live.destroyForcibly().waitFor();
    }
  }

  @Test
  void concurrentFetches_keepTheCacheWithinItsBound() throws Exception {
    Path cacheDir = work.resolve("cache");
    int readers = 4;
    long bound = 25_000;
    GatedBlobStore gated = new GatedBlobStore(remote);
    ExecutorService pool = Executors.newFixedThreadPool(readers);
    try (Registry registry = Registry.builder().blobStore(gated).cache(cacheDir, bound).build()) {
      for (int i = 0; i < readers; i++) {
        registry.save("m" + i + "@1.0.0", random(10_000, 10 + i));
      }
      // every file GET waits until all readers are downloading at once
      CyclicBarrier allDownloading = new CyclicBarrier(readers);
      gated.gate((operation, key) -> {
        if (key.startsWith("objects/")) {
          try {
            allDownloading.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
            throw new IOException("the readers did not all start downloading", e);
          }
        }
      });
      List<Future<byte[]>> loads = new ArrayList<>();
      for (int i = 0; i < readers; i++) {
        String key = "m" + i + "@1.0.0";
        loads.add(pool.submit(() -> registry.get(key, byte[].class)));
      }
      for (int i = 0; i < readers; i++) {
        assertThat(loads.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(random(10_000, 10 + i));
      }

      assertThat(bytesUnder(cacheDir.resolve("sha256"))).as("cached bytes after %d concurrent fetches", readers)
          .isLessThanOrEqualTo(bound);
      assertThat(filesUnder(cacheDir.resolve("tmp"))).isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }
}
