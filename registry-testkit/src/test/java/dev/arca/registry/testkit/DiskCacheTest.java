package dev.arca.registry.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arca.registry.IntegrityException;
import dev.arca.registry.internal.cache.DiskCache;
import dev.arca.registry.internal.io.Sha256;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk cache on its own: a miss streams the remote's bytes to the reader while filling the cache (one remote
 * read, published only once verified), and its index of the directory stays usable while other processes fill and
 * evict the same directory (simulated by changing the files beneath it).
 */
class DiskCacheTest {

  @TempDir Path dir;

  /** A remote copy that counts its opens and the bytes it has handed out. */
  private static final class CountingSource implements DiskCache.Source {
    private final byte[] bytes;
    final AtomicInteger opens = new AtomicInteger();
    final AtomicLong delivered = new AtomicLong();

    CountingSource(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public InputStream open() {
      opens.incrementAndGet();
      return new ByteArrayInputStream(bytes) {
        @Override
        public synchronized int read(byte[] b, int off, int len) {
          int n = super.read(b, off, Math.min(len, 4096));
          if (n > 0) {
            delivered.addAndGet(n);
          }
          return n;
        }
      };
    }
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private Path cached(byte[] bytes) {
    String sha = Sha256.of(bytes);
    return dir.resolve("sha256").resolve(sha.substring(0, 2)).resolve(sha);
  }

  private List<Path> filesUnder(String sub) throws IOException {
    Path d = dir.resolve(sub);
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(d)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  private static byte[] read(DiskCache cache, byte[] bytes, DiskCache.Source source) throws IOException {
    try (InputStream in = cache.open(Sha256.of(bytes), bytes.length, false, source, "f")) {
      return in.readAllBytes();
    }
  }

  @Test
  void miss_handsTheFirstBytesOverBeforeTheDownloadEnds_readsTheRemoteOnce_andPublishesOnlyAtTheVerifiedEnd()
      throws IOException {
    byte[] data = random(1 << 20, 1);
    CountingSource source = new CountingSource(data);
    DiskCache cache = new DiskCache(dir, 8 << 20);

    try (InputStream in = cache.open(Sha256.of(data), data.length, false, source, "f")) {
      byte[] first = in.readNBytes(1000);

      assertThat(first).isEqualTo(java.util.Arrays.copyOf(data, 1000));
      assertThat(source.delivered.get()).as("bytes taken from the remote when the reader has its first 1,000")
          .isLessThan(data.length);
      assertThat(cached(data)).as("not published before it is verified").doesNotExist();

      assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, data.length));
    }
    assertThat(source.opens.get()).as("remote reads for a cold load").isEqualTo(1);
    assertThat(cached(data)).hasBinaryContent(data);
    assertThat(filesUnder("tmp")).isEmpty();

    assertThat(read(cache, data, source)).isEqualTo(data);
    assertThat(source.opens.get()).as("remote reads after a second load").isEqualTo(1);
  }

  @Test
  void miss_whoseRemoteBytesDoNotMatch_failsAtTheirEnd_andCachesNothing() throws IOException {
    byte[] expected = random(100_000, 2);
    byte[] corrupt = expected.clone();
    corrupt[50_000] ^= 0x40;
    DiskCache cache = new DiskCache(dir, 8 << 20);

    assertThatThrownBy(() -> read(cache, expected, new CountingSource(corrupt)))
        .isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> read(cache, expected, new CountingSource(java.util.Arrays.copyOf(expected, 99_999))))
        .isInstanceOf(IntegrityException.class);

    assertThat(filesUnder("sha256")).isEmpty();
    assertThat(filesUnder("tmp")).isEmpty();
  }

  @Test
  void miss_closedBeforeItsEnd_cachesNothing_andGivesItsReservationBack() throws IOException {
    byte[] first = random(10_000, 3);
    byte[] second = random(10_000, 4);
    DiskCache cache = new DiskCache(dir, 10_000);

    try (InputStream in = cache.open(Sha256.of(first), first.length, false, new CountingSource(first), "f")) {
      in.readNBytes(100);
    }
    assertThat(filesUnder("sha256")).isEmpty();
    assertThat(filesUnder("tmp")).isEmpty();

    assertThat(read(cache, second, new CountingSource(second))).isEqualTo(second);
    assertThat(cached(second)).as("a file the size of the bound fits: the abandoned one holds no room")
        .hasBinaryContent(second);
  }

  @Test
  void fileAnotherProcessEvicted_isAMiss_andEvictingItAgainIsHarmless() throws IOException {
    byte[] a = random(10_000, 5);
    byte[] b = random(10_000, 6);
    byte[] c = random(10_000, 7);
    DiskCache cache = new DiskCache(dir, 25_000);
    read(cache, a, new CountingSource(a));
    read(cache, b, new CountingSource(b));

    Files.delete(cached(a)); // another process evicted it
    CountingSource again = new CountingSource(a);
    assertThat(read(cache, a, again)).isEqualTo(a);
    assertThat(again.opens.get()).as("a file gone from the directory is fetched").isEqualTo(1);
    Files.delete(cached(b));

    assertThat(read(cache, c, new CountingSource(c))).isEqualTo(c);
    assertThat(filesUnder("sha256")).containsExactlyInAnyOrder(cached(a), cached(c));
  }

  @Test
  void fileAnotherProcessFilled_countsTowardsTheBound_onceThisOneReadsIt() throws IOException {
    byte[] a = random(10_000, 8);
    byte[] b = random(10_000, 9);
    byte[] c = random(10_000, 10);
    DiskCache cache = new DiskCache(dir, 25_000);
    read(cache, a, new CountingSource(a));

    Files.createDirectories(cached(b).getParent());
    Files.write(cached(b), b); // another process filled it
    CountingSource hit = new CountingSource(b);
    assertThat(read(cache, b, hit)).isEqualTo(b);
    assertThat(hit.opens.get()).as("a file another process cached is served from the directory").isZero();

    read(cache, c, new CountingSource(c));
    assertThat(filesUnder("sha256")).as("the least recently used file made room").containsExactlyInAnyOrder(
        cached(b), cached(c));
  }

  @Test
  void filesAlreadyInTheDirectory_areCountedAndEvictedLeastRecentlyUsedFirst() throws IOException {
    byte[] a = random(10_000, 11);
    byte[] b = random(10_000, 12);
    byte[] c = random(10_000, 13);
    DiskCache first = new DiskCache(dir, 25_000);
    read(first, a, new CountingSource(a));
    read(first, b, new CountingSource(b));
    Files.setLastModifiedTime(cached(b), java.nio.file.attribute.FileTime.fromMillis(1_000)); // used long ago

    // another path to the directory: an instance that shares nothing with the first, as in a process started now
    Path alias = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-alias"), dir);
    DiskCache later = new DiskCache(alias, 25_000);
    read(later, c, new CountingSource(c));

    assertThat(filesUnder("sha256")).containsExactlyInAnyOrder(cached(a), cached(c));
  }
}
