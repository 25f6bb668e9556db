package dev.arca.bench.jmh;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.registry.Names;
import dev.arca.registry.Version;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-operation hot paths: sha256 of a 1 MiB buffer (the floor of every save and verified load), name encoding,
 * and the manifest digest. Run: {@code mvn -B -q -f registry-benchmarks exec:exec -Dbench.main=org.openjdk.jmh.Main
 * -Dbench.args=HotPaths}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HotPaths {

  private byte[] mebibyte;
  private List<FileEntry> files;

  @Setup
  public void setup() {
    mebibyte = new byte[1 << 20];
    new Random(1).nextBytes(mebibyte);
    files = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      files.add(new FileEntry("dir/file-" + i + ".bin", 1000L * i, "a".repeat(64)));
    }
  }

  @Benchmark
  public byte[] sha256OfOneMebibyte() throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(mebibyte);
  }

  @Benchmark
  public String encodeNameWithColons() {
    return Names.encode("team:vision:resnet50-final.v2");
  }

  @Benchmark
  public boolean manifestDigestOfTwentyFiles() {
    String digest = Manifest.computeDigest("java.nio.file.Path", "arca.path", 1, Map.of("kind", "dir"),
        Map.of("team", "vision"), files);
    return new Manifest(1, "m", Version.of(1, 0, 0), "java.nio.file.Path", "arca.path", 1, Map.of("kind", "dir"),
        Map.of("team", "vision"), files, digest, 0, "u", Instant.EPOCH, "me", List.of()).digestMatches();
  }
}
