package dev.arca.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.arca.backend.s3.S3BlobStore;
import dev.arca.registry.BatchResult;
import dev.arca.registry.Manifest;
import dev.arca.registry.Registry;
import dev.arca.registry.internal.cache.DiskCache;
import dev.arca.registry.testkit.HttpProxy;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The workloads W1-W5 and B1-B3 of the benchmark issue, each repeated, on the local backend (fsync on and off) and
 * on S3Proxy, and C1-C2 of the cache; writes results.json, results.md and chart.png. Run: {@code mvn -B -q -f
 * registry-benchmarks exec:exec}; {@code --only C1,C2} runs only the workloads named.
 */
public final class Workloads {

  private static final int MIB = 1 << 20;

  /** One measured value of one repetition. */
  record Sample(String workload, String backend, String metric, String unit, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final Path work;
  private final S3ProxyServer s3;
  private final Random random = new Random(42);
  private int counter;
  private @org.jspecify.annotations.Nullable String coldLoadBucket;

  private Workloads(Path work) throws Exception {
    this.work = work;
    this.s3 = S3ProxyServer.onDisk(Files.createDirectories(work.resolve("s3proxy")));
  }

  public static void main(String[] args) throws Exception {
    int reps = 3;
    Path out = Path.of("docs/benchmarks");
    boolean large = true;
    Set<String> only = Set.of();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--no-large" -> large = false;
        case "--only" -> only = Set.of(args[++i].split(","));
        default -> throw new IllegalArgumentException(
            "usage: Workloads [--reps N] [--out DIR] [--no-large] [--only W1,W2,...,C2]");
      }
    }
    Set<String> chosen = only;
    java.util.function.Predicate<String> runs = w -> chosen.isEmpty() || chosen.contains(w);
    Path work = Files.createTempDirectory("arca-bench-");
    Workloads bench = new Workloads(work);
    try {
      Path big = large && runs.test("W4") ? bench.randomFile(work.resolve("big.bin"), 1024) : null;
      for (int rep = 1; rep <= reps; rep++) {
        System.err.println("== repetition " + rep + " of " + reps);
        for (String backend : List.of("local", "local-nofsync", "s3proxy")) {
          if (runs.test("W1") || runs.test("W5")) {
            bench.smallObjects(backend);
          }
          if (runs.test("W2")) {
            bench.versions(backend);
          }
          if (runs.test("W3")) {
            bench.mediumBlobs(backend);
          }
          if (big != null && !backend.equals("local-nofsync")) {
            bench.largeFile(backend, big);
          }
        }
        if (runs.test("B1")) {
          bench.backendOverhead();
        }
        if (runs.test("B2")) {
          bench.cache();
        }
        if (runs.test("B3")) {
          bench.batch();
        }
        if (runs.test("C1")) {
          bench.cacheMiss();
        }
        if (runs.test("C2")) {
          bench.coldLoads();
        }
      }
      bench.report(out, reps, String.join(" ", args));
    } finally {
      bench.s3.close();
      delete(work);
    }
  }

  // ---------------------------------------------------------------- workloads

  private Registry open(String backend) throws IOException {
    Path dir = work.resolve("r" + counter++);
    return switch (backend) {
      case "local" -> Registry.open(dir.toUri());
      case "local-nofsync" -> Registry.open(URI.create(dir.toUri() + "?fsync=false"));
      case "s3proxy" -> Registry.builder().blobStore(s3Store(s3.endpoint(), s3.createBucket()))
          .cache(Files.createDirectories(dir.resolve("cache")), 8L << 30).build();
      default -> throw new IllegalArgumentException(backend);
    };
  }

  private static S3BlobStore s3Store(URI endpoint, String bucket) {
    return S3BlobStore.builder().endpoint(endpoint).bucket(bucket).pathStyle(true)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
  }

  /** W1 (save then load 1,000 small JSON maps) and W5 (exists and info for all of them). */
  private void smallObjects(String backend) throws Exception {
    try (Registry r = open(backend)) {
      List<Map<String, Object>> objects = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i);
        m.put("name", "object-" + i);
        List<Double> values = new ArrayList<>();
        for (int v = 0; v < 20; v++) {
          values.add(Math.round(random.nextDouble() * 1e4) / 1e4);
        }
        m.put("values", values);
        objects.add(m);
      }
      double save = time(() -> {
        for (int i = 0; i < 1000; i++) {
          r.save("obj-" + i, objects.get(i));
        }
      });
      double load = time(() -> {
        for (int i = 0; i < 1000; i++) {
          r.get("obj-" + i);
        }
      });
      record("W1", backend, "saves/s", "ops/s", 1000 / save);
      record("W1", backend, "loads/s", "ops/s", 1000 / load);
      record("W5", backend, "exists/s", "ops/s", 1000 / time(() -> {
        for (int i = 0; i < 1000; i++) {
          r.exists("obj-" + i);
        }
      }));
      record("W5", backend, "info/s", "ops/s", 1000 / time(() -> {
        for (int i = 0; i < 1000; i++) {
          r.info("obj-" + i);
        }
      }));
    }
  }

  /** W2: 200 auto-increment saves of one name, 100 version listings, 100 loads of latest. */
  private void versions(String backend) throws Exception {
    try (Registry r = open(backend)) {
      Map<String, Object> value = Map.of("id", 1, "name", "versioned", "values", List.of(1.0, 2.0));
      record("W2", backend, "saves/s", "ops/s", 200 / time(() -> {
        for (int i = 0; i < 200; i++) {
          r.save("versioned", value);
        }
      }));
      record("W2", backend, "lists/s", "ops/s", 100 / time(() -> {
        for (int i = 0; i < 100; i++) {
          r.versions("versioned");
        }
      }));
      record("W2", backend, "loads/s", "ops/s", 100 / time(() -> {
        for (int i = 0; i < 100; i++) {
          r.get("versioned");
        }
      }));
    }
  }

  /** W3: 50 names of 1 MiB random bytes, saved then loaded. */
  private void mediumBlobs(String backend) throws Exception {
    try (Registry r = open(backend)) {
      List<byte[]> blobs = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        byte[] b = new byte[MIB];
        random.nextBytes(b);
        blobs.add(b);
      }
      record("W3", backend, "save MiB/s", "MiB/s", 50 / time(() -> {
        for (int i = 0; i < 50; i++) {
          r.save("blob-" + i, blobs.get(i));
        }
      }));
      record("W3", backend, "load MiB/s", "MiB/s", 50 / time(() -> {
        for (int i = 0; i < 50; i++) {
          r.get("blob-" + i, byte[].class);
        }
      }));
    }
  }

  /** W4: a 1 GiB file saved as a Path and loaded to a new path, against cp and a JDK sha256 of the same file. */
  private void largeFile(String backend, Path big) throws Exception {
    double mib = Files.size(big) / (double) MIB;
    try (Registry r = open(backend)) {
      record("W4", backend, "save MiB/s", "MiB/s", mib / time(() -> r.save("big", big)));
      Path target = work.resolve("loaded-" + counter++);
      record("W4", backend, "load MiB/s", "MiB/s", mib / time(() -> r.loadInto("big", target)));
      delete(target);
    }
    Path copy = work.resolve("cp-" + counter++);
    record("W4", backend, "cp MiB/s", "MiB/s", mib / time(() -> {
      Process p = new ProcessBuilder("cp", big.toString(), copy.toString()).inheritIO().start();
      if (p.waitFor() != 0) {
        throw new IOException("cp failed");
      }
    }));
    Files.delete(copy);
    record("W4", backend, "sha256 MiB/s", "MiB/s", mib / time(() -> sha256(big)));
  }

  /** B1: Arca save/load against the raw AWS SDK put/get of the same bytes, on one S3Proxy, and requests per op. */
  private void backendOverhead() throws Exception {
    try (HttpProxy wire = HttpProxy.start(s3.endpoint());
        S3Client raw = S3Client.builder().endpointOverride(wire.endpoint()).forcePathStyle(true)
            .region(Region.US_EAST_1).httpClient(ApacheHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
            .build();
        Registry arca = Registry.builder().blobStore(s3Store(wire.endpoint(), s3.createBucket())).noCache().build()) {
      String rawBucket = s3.createBucket();
      for (int size : new int[] {1024, MIB, 64 * MIB}) {
        String label = size == 1024 ? "1KiB" : size == MIB ? "1MiB" : "64MiB";
        int ops = size == 1024 ? 200 : size == MIB ? 40 : 3;
        byte[] data = new byte[size];
        random.nextBytes(data);
        String unit = size == 1024 ? "ops/s" : "MiB/s";
        double scale = size == 1024 ? ops : ops * (double) size / MIB;
        wire.clearRequests();
        double rawPut = time(() -> {
          for (int i = 0; i < ops; i++) {
            String key = "o" + i;
            raw.putObject(b -> b.bucket(rawBucket).key(key), RequestBody.fromBytes(data));
          }
        });
        double rawPuts = wire.requests().size() / (double) ops;
        wire.clearRequests();
        double rawGet = time(() -> {
          for (int i = 0; i < ops; i++) {
            String key = "o" + i;
            raw.getObjectAsBytes(b -> b.bucket(rawBucket).key(key));
          }
        });
        double rawGets = wire.requests().size() / (double) ops;
        wire.clearRequests();
        double arcaSave = time(() -> {
          for (int i = 0; i < ops; i++) {
            arca.save(label + "-" + i + "@1.0.0", data);
          }
        });
        double arcaSaves = wire.requests().size() / (double) ops;
        wire.clearRequests();
        double arcaLoad = time(() -> {
          for (int i = 0; i < ops; i++) {
            arca.get(label + "-" + i + "@1.0.0", byte[].class);
          }
        });
        double arcaLoads = wire.requests().size() / (double) ops;
        record("B1", "s3proxy", label + " raw put", unit, scale / rawPut);
        record("B1", "s3proxy", label + " raw get", unit, scale / rawGet);
        record("B1", "s3proxy", label + " arca save", unit, scale / arcaSave);
        record("B1", "s3proxy", label + " arca load", unit, scale / arcaLoad);
        record("B1", "s3proxy", label + " requests per raw put", "requests", rawPuts);
        record("B1", "s3proxy", label + " requests per raw get", "requests", rawGets);
        record("B1", "s3proxy", label + " requests per arca save", "requests", arcaSaves);
        record("B1", "s3proxy", label + " requests per arca load", "requests", arcaLoads);
      }
    }
  }

  /** B2: a cached 64 MiB load against reading the same bytes from a local file. */
  private void cache() throws Exception {
    byte[] data = new byte[64 * MIB];
    random.nextBytes(data);
    Path file = Files.write(work.resolve("b2.bin"), data);
    try (Registry r = open("s3proxy")) {
      r.save("cached@1.0.0", data);
      r.get("cached@1.0.0", byte[].class); // fills the cache
      record("B2", "s3proxy", "cached load MiB/s", "MiB/s", 64 * 5 / time(() -> {
        for (int i = 0; i < 5; i++) {
          r.get("cached@1.0.0", byte[].class);
        }
      }));
    }
    record("B2", "local file", "file read MiB/s", "MiB/s", 64 * 5 / time(() -> {
      for (int i = 0; i < 5; i++) {
        Files.readAllBytes(file);
      }
    }));
    Files.delete(file);
  }

  /**
   * C1: what a cache miss costs the cache itself (the bytes come from memory), in a cache of 400 files and in one of
   * 100,000, each at its bound so that every miss also evicts a file. The first miss of a JVM walks the directory
   * once to build the index; that walk is reported on its own (it is what every miss cost before the index). The
   * floor beside each: the file operations of such a miss alone (write a file, rename it into a shard, delete the
   * oldest file) in a twin directory of as many files. Measured in interleaved batches of 400, one sample per batch,
   * so a burst of load elsewhere on the machine hits miss and floor alike.
   */
  private void cacheMiss() throws Exception {
    int fileSize = 64;
    int batch = 400;
    for (int cachedFiles : new int[] {400, 100_000}) {
      String label = String.format(Locale.ROOT, "%,d cached files", cachedFiles);
      Path dir = work.resolve("c1-" + counter++);
      fillCacheDirectory(dir, cachedFiles, fileSize);
      Path twin = work.resolve("c1-twin-" + counter++);
      java.util.ArrayDeque<Path> oldest = new java.util.ArrayDeque<>(fillCacheDirectory(twin, cachedFiles, fileSize));
      DiskCache cache = new DiskCache(dir, (long) cachedFiles * fileSize);
      record("C1", "disk cache", label + ": first miss (walks once) ms", "ms", 1000 * time(() -> miss(cache,
          randomBytes(fileSize))));
      Work floor = () -> {
        for (int i = 0; i < batch; i++) {
          String sha = sha256Hex(randomBytes(fileSize));
          Path part = Files.write(twin.resolve("part"), randomBytes(fileSize));
          Path file = twin.resolve("sha256").resolve(sha.substring(0, 2)).resolve(sha);
          Files.move(part, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
          oldest.add(file);
          Files.delete(oldest.remove());
        }
      };
      floor.run(); // warms the JIT, as the first batch of misses does
      misses(cache, batch, fileSize);
      Work missing = () -> misses(cache, batch, fileSize);
      for (int round = 0; round < 5; round++) {
        record("C1", "file system", label + ": write, rename, delete ms", "ms", 1000 * time(floor) / batch);
        record("C1", "disk cache", label + ": miss ms", "ms", 1000 * time(missing) / batch);
        record("C1", "file system", label + ": write, rename, delete CPU ms", "ms", 1000 * cpuTime(floor) / batch);
        record("C1", "disk cache", label + ": miss CPU ms", "ms", 1000 * cpuTime(missing) / batch);
      }
      delete(dir);
      delete(twin);
    }
  }

  private void misses(DiskCache cache, int count, int size) throws IOException {
    List<byte[]> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      files.add(randomBytes(size));
    }
    for (byte[] f : files) {
      miss(cache, f);
    }
  }

  private byte[] randomBytes(int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    return b;
  }

  private static void miss(DiskCache cache, byte[] bytes) throws IOException {
    String sha = sha256Hex(bytes);
    try (InputStream in = cache.open(sha, bytes.length, false, () -> new ByteArrayInputStream(bytes), sha)) {
      if (in.readAllBytes().length != bytes.length) {
        throw new IllegalStateException("short read");
      }
    }
  }

  /** Writes {@code count} files as another process's cache would have them; returns them, oldest first. */
  private List<Path> fillCacheDirectory(Path dir, int count, int size) throws IOException {
    List<Path> written = new ArrayList<>();
    Path objects = dir.resolve("sha256");
    for (int shard = 0; shard < 256; shard++) {
      Files.createDirectories(objects.resolve(String.format(Locale.ROOT, "%02x", shard)));
    }
    byte[] b = new byte[size];
    for (int i = 0; i < count; i++) {
      random.nextBytes(b);
      String sha = sha256Hex(b);
      written.add(Files.write(objects.resolve(sha.substring(0, 2)).resolve(sha), b));
    }
    return written;
  }

  private static String sha256Hex(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * C2: cold loads with the cache on (an empty cache, filled by these loads) and off, side by side on one S3Proxy
   * bucket: 1,000 small JSON maps and 50 x 1 MiB. One unmeasured pass first, so S3Proxy serves both from a warm
   * disk; then on, off, off, on, each with a fresh registry (nothing in memory either) and after a {@code sync}.
   * The objects are saved at the first repetition and loaded by all.
   */
  private void coldLoads() throws Exception {
    if (coldLoadBucket == null) {
      coldLoadBucket = s3.createBucket();
      saveColdLoadObjects(coldLoadBucket);
    }
    String bucket = coldLoadBucket;

    for (String pass : List.of("warm-up", "on", "off", "off", "on")) {
      settleDisk();
      try (Registry r = coldLoadRegistry(bucket, pass.equals("on"))) {
        double seconds = time(() -> {
          for (int i = 0; i < 1000; i++) {
            r.get("small-" + i);
          }
        });
        if (!pass.equals("warm-up")) {
          record("C2", "s3proxy", "1,000 small cold loads/s, cache " + pass, "ops/s", 1000 / seconds);
        }
      }
      settleDisk();
      try (Registry r = coldLoadRegistry(bucket, pass.equals("on"))) {
        double seconds = time(() -> {
          for (int i = 0; i < 50; i++) {
            r.get("blob-" + i, byte[].class);
          }
        });
        if (!pass.equals("warm-up")) {
          record("C2", "s3proxy", "50 x 1 MiB cold load MiB/s, cache " + pass, "MiB/s", 50 / seconds);
        }
      }
    }
  }

  /**
   * Writes the page cache's dirty pages out ({@code sync}), so that a pass whose cache fills write files is not
   * throttled to the disk's speed by what earlier workloads wrote (C1 writes 100,000 files): on this class of
   * machine, with a gigabyte dirty, writing 1 MiB took 5 ms instead of 0.4 ms, in Java and Python alike.
   */
  private static void settleDisk() throws Exception {
    try {
      new ProcessBuilder("sync").inheritIO().start().waitFor();
    } catch (java.io.IOException noSync) {
      // not a Unix: passes may then differ by what is still being written
    }
  }

  private void saveColdLoadObjects(String bucket) throws Exception {
    List<Map<String, Object>> small = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", i);
      m.put("name", "object-" + i);
      m.put("values", new ArrayList<>(List.of(random.nextDouble(), random.nextDouble())));
      small.add(m);
    }
    try (Registry writer = coldLoadRegistry(bucket, false)) {
      for (int i = 0; i < 1000; i++) {
        writer.save("small-" + i, small.get(i));
      }
      for (int i = 0; i < 50; i++) {
        byte[] b = new byte[MIB];
        random.nextBytes(b);
        writer.save("blob-" + i, b);
      }
    }
  }

  private Registry coldLoadRegistry(String bucket, boolean cached) throws IOException {
    Registry.Builder builder = Registry.builder().blobStore(s3Store(s3.endpoint(), bucket));
    return cached ? builder.cache(Files.createDirectories(work.resolve("c2-cache-" + counter++)), 8L << 30).build()
        : builder.noCache().build();
  }

  /** B3: a batch save of 64 x 1 MiB on S3Proxy with 1, 2, 4 and 8 parallel transfers. */
  private void batch() throws Exception {
    Map<String, Object> items = new LinkedHashMap<>();
    for (int i = 0; i < 64; i++) {
      byte[] b = new byte[MIB];
      random.nextBytes(b);
      items.put("batch-" + i, b);
    }
    for (int parallel : new int[] {1, 2, 4, 8}) {
      try (Registry r = Registry.builder().blobStore(s3Store(s3.endpoint(), s3.createBucket())).noCache()
          .batchParallelism(parallel).build()) {
        BatchResult<Manifest>[] result = new BatchResult[1];
        double seconds = time(() -> result[0] = r.saveAll(items));
        if (!result[0].allSucceeded()) {
          throw new IllegalStateException("batch failed: " + result[0].errors());
        }
        record("B3", "s3proxy", parallel + " parallel MiB/s", "MiB/s", 64 / seconds);
      }
    }
  }

  // ---------------------------------------------------------------- report

  private void report(Path out, int reps, String args) throws IOException {
    Files.createDirectories(out);
    Map<String, List<Double>> byKey = new LinkedHashMap<>();
    Map<String, Sample> first = new LinkedHashMap<>();
    for (Sample s : samples) {
      String key = s.workload() + " | " + s.backend() + " | " + s.metric();
      byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(s.value());
      first.putIfAbsent(key, s);
    }
    List<Map<String, Object>> results = new ArrayList<>();
    Map<String, Double> median = new LinkedHashMap<>();
    for (Map.Entry<String, List<Double>> e : byKey.entrySet()) {
      List<Double> values = e.getValue().stream().sorted().toList();
      double med = values.get(values.size() / 2);
      median.put(e.getKey(), med);
      Sample s = first.get(e.getKey());
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("workload", s.workload());
      row.put("backend", s.backend());
      row.put("metric", s.metric());
      row.put("unit", s.unit());
      row.put("median", round(med));
      row.put("min", round(values.get(0)));
      row.put("max", round(values.get(values.size() - 1)));
      row.put("samples", values.stream().map(Workloads::round).toList());
      results.add(row);
    }
    List<Map<String, Object>> targets = targets(median);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("command", "mvn -B -q -f registry-benchmarks exec:exec" + (args.isBlank() ? "" : " -Dbench.args=\"" + args + "\""));
    doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java",
        System.getProperty("java.version"), "os", System.getProperty("os.name") + " " + System.getProperty("os.arch")));
    doc.put("repetitions", reps);
    doc.put("results", results);
    doc.put("targets", targets);
    JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
        .writeValue(out.resolve("results.json").toFile(), doc);

    StringBuilder md = new StringBuilder("# Arca benchmarks\n\nProduced by `").append(doc.get("command"))
        .append("` on ").append(doc.get("machine")).append(", ").append(reps)
        .append(" repetitions; median (min-max).\n\n| workload | backend | metric | median | min-max |\n|---|---|---|---:|---|\n");
    for (Map<String, Object> row : results) {
      md.append("| ").append(row.get("workload")).append(" | ").append(row.get("backend")).append(" | ")
          .append(row.get("metric")).append(" | ").append(row.get("median")).append(" | ").append(row.get("min"))
          .append("-").append(row.get("max")).append(" |\n");
    }
    md.append("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n");
    for (Map<String, Object> t : targets) {
      md.append("| ").append(t.get("target")).append(" | ").append(t.get("measured")).append(" | ")
          .append(Boolean.TRUE.equals(t.get("met")) ? "yes" : "no").append(" |\n");
    }
    if (chart(median, out.resolve("chart.png"))) {
      md.append("\n![chart](chart.png)\n");
    }
    Files.writeString(out.resolve("results.md"), md);
    System.err.println(md);
  }

  private static List<Map<String, Object>> targets(Map<String, Double> m) {
    List<Map<String, Object>> t = new ArrayList<>();
    for (String backend : List.of("local", "s3proxy")) {
      Double cp = m.get("W4 | " + backend + " | cp MiB/s");
      Double sha = m.get("W4 | " + backend + " | sha256 MiB/s");
      if (cp != null && sha != null) {
        double limit = Math.min(cp, sha);
        for (String op : List.of("save", "load")) {
          double ratio = m.get("W4 | " + backend + " | " + op + " MiB/s") / limit;
          t.add(target("W4 " + backend + " " + op + " >= 0.7 x min(cp, sha256)", ratio, ratio >= 0.7));
        }
      }
    }
    for (String op : List.of("save", "load")) {
      String raw = op.equals("save") ? "raw put" : "raw get";
      Double a = m.get("B1 | s3proxy | 64MiB arca " + op);
      Double r = m.get("B1 | s3proxy | 64MiB " + raw);
      if (a != null && r != null) {
        t.add(target("B1 64 MiB arca " + op + " >= 0.85 x raw SDK", a / r, a / r >= 0.85));
      }
    }
    Double saves = m.get("B1 | s3proxy | 1KiB requests per arca save");
    Double loads = m.get("B1 | s3proxy | 1KiB requests per arca load");
    if (saves != null && loads != null) {
      t.add(target("B1 1 KiB requests: save 2 (data PUT + manifest PUT), load 2 (manifest GET + data GET)",
          saves * 100 + loads, saves == 2.0 && loads == 2.0));
    }
    Double cached = m.get("B2 | s3proxy | cached load MiB/s");
    Double file = m.get("B2 | local file | file read MiB/s");
    if (cached != null && file != null) {
      t.add(target("B2 cached load >= 0.8 x local file read", cached / file, cached / file >= 0.8));
    }
    Double miss = m.get("C1 | disk cache | 100,000 cached files: miss ms");
    Double floor = m.get("C1 | file system | 100,000 cached files: write, rename, delete ms");
    if (miss != null && floor != null) {
      t.add(target("C1 cache miss at 100,000 cached files < 1 ms", miss, miss < 1));
      t.add(target("C1 cache miss at 100,000 cached files <= 1.5 x its file operations alone", miss / floor,
          miss / floor <= 1.5));
    }
    Double missCpu = m.get("C1 | disk cache | 100,000 cached files: miss CPU ms");
    if (missCpu != null) {
      t.add(target("C1 cache miss at 100,000 cached files < 0.25 ms of CPU", missCpu, missCpu < 0.25));
    }
    for (String[] load : new String[][] {{"1,000 small cold loads/s", "1,000 small"}, {"50 x 1 MiB cold load MiB/s",
        "50 x 1 MiB"}}) {
      Double on = m.get("C2 | s3proxy | " + load[0] + ", cache on");
      Double off = m.get("C2 | s3proxy | " + load[0] + ", cache off");
      if (on != null && off != null) {
        t.add(target("C2 " + load[1] + " cold loads: time with the cache on <= 1.1 x with it off", off / on,
            off / on <= 1.1));
      }
    }
    Double one = m.get("B3 | s3proxy | 1 parallel MiB/s");
    Double eight = m.get("B3 | s3proxy | 8 parallel MiB/s");
    if (one != null && eight != null) {
      t.add(target("B3 8 parallel >= 3 x 1 parallel", eight / one, eight / one >= 3));
    }
    Double w1s = m.get("W1 | local | saves/s");
    Double w1l = m.get("W1 | local | loads/s");
    Double w5 = m.get("W5 | local | exists/s");
    if (w1s != null) {
      t.add(target("W1 local >= 1,000 fsync'd saves/s", w1s, w1s >= 1000));
      t.add(target("W1 local >= 10,000 loads/s", w1l, w1l >= 10_000));
      t.add(target("W5 local >= 70,000 exists/s", w5, w5 >= 70_000));
    }
    return t;
  }

  private static Map<String, Object> target(String name, double measured, boolean met) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("target", name);
    t.put("measured", round(measured));
    t.put("met", met);
    return t;
  }

  /** Writes the chart, unless this run measured none of what it shows. */
  private static boolean chart(Map<String, Double> m, Path png) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (String backend : List.of("local", "s3proxy")) {
      for (String metric : List.of("save", "load", "cp", "sha256")) {
        Double v = m.get("W4 | " + backend + " | " + metric + " MiB/s");
        if (v != null) {
          data.addValue(v, metric, "W4 1 GiB " + backend);
        }
      }
    }
    String[][] b1 = {{"arca save", "save"}, {"raw put", "raw put"}, {"arca load", "load"}, {"raw get", "raw get"}};
    for (String[] pair : b1) {
      Double v = m.get("B1 | s3proxy | 64MiB " + pair[0]);
      if (v != null) {
        data.addValue(v, pair[1], "B1 64 MiB s3proxy");
      }
    }
    Double cached = m.get("B2 | s3proxy | cached load MiB/s");
    Double file = m.get("B2 | local file | file read MiB/s");
    if (cached != null && file != null) {
      data.addValue(cached, "load", "B2 64 MiB cache vs file");
      data.addValue(file, "file read", "B2 64 MiB cache vs file");
    }
    if (data.getRowCount() == 0) {
      return false;
    }
    JFreeChart chart = ChartFactory.createBarChart("Arca vs physical and raw-client references", "", "MiB/s", data,
        PlotOrientation.VERTICAL, true, false, false);
    ChartUtils.saveChartAsPNG(png.toFile(), chart, 1100, 550);
    return true;
  }

  // ---------------------------------------------------------------- helpers

  private void record(String workload, String backend, String metric, String unit, double value) {
    samples.add(new Sample(workload, backend, metric, unit, value));
    System.err.printf(Locale.ROOT, "%-3s %-14s %-32s %12.1f %s%n", workload, backend, metric, value, unit);
  }

  /** Something measured. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  private static double time(Work work) throws Exception {
    long start = System.nanoTime();
    work.run();
    return (System.nanoTime() - start) / 1e9;
  }

  /** The CPU time of this thread (user and system) in seconds: what waiting on a busy disk does not count. */
  private static double cpuTime(Work work) throws Exception {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    work.run();
    return (threads.getCurrentThreadCpuTime() - start) / 1e9;
  }

  private Path randomFile(Path file, int mib) throws IOException {
    byte[] chunk = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mib; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    return file;
  }

  private static void sha256(Path file) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    ByteBuffer buffer = ByteBuffer.allocate(MIB);
    try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
      while (in.read(buffer) >= 0) {
        buffer.flip();
        sha.update(buffer);
        buffer.clear();
      }
    }
    sha.digest();
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

}
