package dev.arca.registry.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Ceph RADOS Gateway (Debian's Ceph 16, the S3 server of large production deployments) as a throwaway
 * single-node cluster of child processes: one monitor, one OSD on {@code memstore} (objects live in its RAM) and
 * one {@code radosgw}, all bound to 127.0.0.1, the monitor and the gateway on free ports, state in a temporary
 * directory, and one S3 user with {@link #ACCESS_KEY} / {@link #SECRET_KEY}. Ready when a signed request
 * succeeds (about 2-5 s; 130 MiB resident idle, plus what is stored). {@code .ci/run} installs the packages; where
 * they are missing the test fails in CI ({@code CI} set) and is skipped elsewhere, and {@link #SKIP_PROPERTY} skips
 * it on purpose.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} stops exactly the processes this instance started and removes its directory. A shutdown hook
 * does the same when the JVM exits without closing it; a JVM killed outright runs no hook, so every start first
 * sweeps the directories of launchers whose JVM is gone, stopping the processes they recorded (each matched by
 * pid and start time, so a reused pid is never touched).
 *
 * <h2>What differs from AWS S3 (shared/TEST-SERVERS.md)</h2>
 * {@code If-None-Match: *} and {@code If-Match} on PutObject are atomic; {@code If-Match} matches only the
 * unquoted ETag; a writer losing an {@code If-Match} race may get a 500 (not applied) instead of a 412;
 * DeleteObject ignores {@code If-Match}; CompleteMultipartUpload ignores both conditions and answers an empty
 * ETag.
 *
 * <p>Thread-safe.
 */
public final class RgwServer implements AutoCloseable {

  /** The access key of the test user. */
  public static final String ACCESS_KEY = "arca-rgw-access";

  /** The test user's secret key. */
  public static final String SECRET_KEY = "arca-rgw-secret-key";

  /** A system property that skips every test needing a gateway ({@code -DargLine=-Darca.rgw.skip=true}). */
  public static final String SKIP_PROPERTY = "arca.rgw.skip";

  private static final Path BIN = Path.of("/usr/bin");
  private static final String PREFIX = "arca-rgw-";
  private static final String OWNER_FILE = "owner";
  private static final Duration READY_WITHIN = Duration.ofSeconds(90);
  private static final String REGION = "us-east-1";

  private final Path root;
  private final List<Process> daemons = new ArrayList<>();
  private final int gatewayPort;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Thread shutdownHook;
  private final Duration startTime;
  private boolean closed;

  private RgwServer() throws IOException, InterruptedException {
    sweepStale();
    long started = System.nanoTime();
    root = Files.createTempDirectory(PREFIX);
    shutdownHook = new Thread(this::stop, "arca-rgw-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    int monitorPort = freePort();
    gatewayPort = freePort();
    try {
      String fsid = UUID.randomUUID().toString();
      for (String dir : List.of("run", "log", "mon/mon.a", "osd/osd.0", "rgw")) {
        Files.createDirectories(root.resolve(dir));
      }
      Path conf = Files.writeString(root.resolve("ceph.conf"), config(fsid, monitorPort));
      recordOwner();
      run(List.of("monmaptool", "--create", "--fsid", fsid, "--addv", "a", "[v2:127.0.0.1:" + monitorPort + "]",
          root.resolve("monmap").toString()));
      run(List.of("ceph-mon", "-c", conf.toString(), "--mkfs", "-i", "a", "--monmap", root.resolve("monmap").toString()));
      daemon("mon", List.of("ceph-mon", "-c", conf.toString(), "-f", "-i", "a"));
      String osdUuid = UUID.randomUUID().toString();
      run(List.of("ceph", "-c", conf.toString(), "--connect-timeout", "60", "osd", "new", osdUuid, "0"));
      run(List.of("ceph-osd", "-c", conf.toString(), "-i", "0", "--mkfs", "--osd-uuid", osdUuid));
      daemon("osd", List.of("ceph-osd", "-c", conf.toString(), "-f", "-i", "0"));
      daemon("rgw", List.of("radosgw", "-c", conf.toString(), "-f", "-n", "client.rgw.a"));
      run(List.of("radosgw-admin", "-c", conf.toString(), "user", "create", "--uid", "arca", "--display-name", "arca",
          "--access-key", ACCESS_KEY, "--secret", SECRET_KEY));
      awaitSignedRequest();
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop();
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
      throw e;
    }
    startTime = Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * Starts a cluster.
   *
   * @return the running gateway; the caller closes it
   * @throws Exception when it cannot start (the logs are in the message)
   */
  public static RgwServer start() throws Exception {
    requireInstalled();
    return new RgwServer();
  }

  /**
   * Skips the calling test when {@link #SKIP_PROPERTY} is set, and fails it in CI (skips it elsewhere) when Ceph is
   * not installed: for tests that start a gateway in a child JVM, which inherits neither.
   */
  public static void requireInstalled() {
    if (Boolean.getBoolean(SKIP_PROPERTY)) {
      Assumptions.abort(SKIP_PROPERTY + " is set (.ci/run sets it for its second JDK: the RADOS Gateway suites run once)");
    }
    for (String binary : List.of("ceph-mon", "ceph-osd", "radosgw", "radosgw-admin", "monmaptool", "ceph")) {
      OciRegistryServer.requireBinary(BIN.resolve(binary), "ceph-mon ceph-osd radosgw ceph-common");
    }
  }

  private String config(String fsid, int monitorPort) {
    // Facts from shared/TEST-SERVERS.md: no cephx anywhere (the gateway's built-in defaults force it, and a secure
    // monitor connection, unless its section says otherwise), msgr2 only, everything on 127.0.0.1, one replica on
    // a memstore OSD, and a short paxos interval (the default second makes the first start take 13 s).
    return """
        [global]
        fsid = %1$s
        mon host = v2:127.0.0.1:%2$d
        mon initial members = a
        public addr = 127.0.0.1
        cluster addr = 127.0.0.1
        ms bind msgr1 = false
        ms bind ipv6 = false
        ms mon client mode = crc
        auth cluster required = none
        auth service required = none
        auth client required = none
        auth allow insecure global id reclaim = true
        osd objectstore = memstore
        memstore device bytes = 4294967296
        osd pool default size = 1
        osd pool default min size = 1
        mon allow pool size one = true
        osd pool default pg num = 8
        osd pool default pgp num = 8
        osd crush chooseleaf type = 0
        paxos propose interval = 0.05
        run dir = %3$s/run
        admin socket = %3$s/run/$name.asok
        pid file = %3$s/run/$name.pid
        log file = %3$s/log/$name.log
        log to stderr = false
        mon data = %3$s/mon/$name
        osd data = %3$s/osd/$name
        keyring = %3$s/keyring
        [client.rgw.a]
        rgw frontends = beast endpoint=127.0.0.1:%4$d
        rgw data = %3$s/rgw
        auth client required = none
        ms mon client mode = crc
        debug rgw = 0/5
        """.formatted(fsid, monitorPort, root, gatewayPort);
  }

  /**
   * The gateway's S3 endpoint.
   *
   * @return {@code http://127.0.0.1:PORT}; path-style addressing
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + gatewayPort);
  }

  /**
   * How long this cluster took to start, from the first process to the first signed request answered.
   *
   * @return the start time
   */
  public Duration startTime() {
    return startTime;
  }

  /**
   * The daemons this cluster runs (monitor, OSD, gateway), for tests of the launcher itself.
   *
   * @return their handles, in start order
   */
  public List<ProcessHandle> processes() {
    return daemons.stream().map(Process::toHandle).toList();
  }

  /**
   * The resident memory of the cluster's processes now, read from {@code /proc}.
   *
   * @return bytes
   */
  public long residentBytes() {
    long total = 0;
    for (Process p : daemons) {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            total += Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
          }
        }
      } catch (IOException gone) {
        // a process that exited holds no memory
      }
    }
    return total;
  }

  /**
   * Creates a bucket with a fresh random name, by a signed PUT.
   *
   * @return its name
   */
  public String createBucket() {
    String name = "arca-" + UUID.randomUUID().toString().substring(0, 13).toLowerCase(Locale.ROOT);
    try {
      HttpResponse<String> r = signed("PUT", "/" + name);
      if (r.statusCode() != 200) {
        throw new IllegalStateException("creating bucket " + name + " answered " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("creating bucket " + name + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted creating bucket " + name, e);
    }
    return name;
  }

  /**
   * The daemons' logs, for failure messages.
   *
   * @return the tail of each process's output and log file
   */
  public String logs() {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> files = Files.list(root.resolve("log"))) {
      for (Path f : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(f, StandardCharsets.ISO_8859_1);
        out.append("== ").append(f.getFileName()).append('\n');
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> out.append(l).append('\n'));
      }
    } catch (IOException e) {
      out.append("(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return out.toString();
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: it stopped the same processes
    }
  }

  /** Stops the gateway, the OSD and the monitor (in that order), then removes the directory. Idempotent. */
  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    List<Process> reversed = new ArrayList<>(daemons);
    java.util.Collections.reverse(reversed);
    for (Process p : reversed) {
      p.destroy();
    }
    for (Process p : reversed) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    deleteTree(root);
  }

  private void daemon(String name, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(root.resolve("log/" + name + ".out").toFile()).start();
    daemons.add(p);
    Files.writeString(root.resolve(OWNER_FILE), pidLine(p.toHandle()), java.nio.file.StandardOpenOption.APPEND);
  }

  /** Runs a setup command to its end; its output goes to the log directory. */
  private void run(List<String> command) throws IOException, InterruptedException {
    Path log = root.resolve("log/setup-" + command.get(0) + ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    if (!p.waitFor(READY_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish within " + READY_WITHIN + ":\n" + logs());
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + logs());
    }
    for (Process d : daemons) {
      if (!d.isAlive()) {
        throw new IOException(d.info().command().orElse("a daemon") + " exited " + d.exitValue() + ":\n" + logs());
      }
    }
  }

  private void awaitSignedRequest() throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(READY_WITHIN);
    while (true) {
      for (Process d : daemons) {
        if (!d.isAlive()) {
          throw new IOException(d.info().command().orElse("a daemon") + " exited " + d.exitValue() + ":\n" + logs());
        }
      }
      String failure;
      try {
        HttpResponse<String> r = signed("GET", "/");
        if (r.statusCode() == 200) {
          return;
        }
        failure = "HTTP " + r.statusCode() + " " + r.body();
      } catch (IOException notYet) {
        failure = notYet.toString();
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IOException("radosgw answered no signed request within " + READY_WITHIN + " (" + failure + "):\n"
            + logs());
      }
      daemons.get(daemons.size() - 1).waitFor(50, TimeUnit.MILLISECONDS); // polls readiness while watching it
    }
  }

  /** A request with an empty body, signed with AWS Signature Version 4 as the test user. */
  private HttpResponse<String> signed(String method, String path) throws IOException, InterruptedException {
    Instant now = Instant.now();
    String time = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
    String day = time.substring(0, 8);
    String host = "127.0.0.1:" + gatewayPort;
    String emptyHash = hex(sha256(new byte[0]));
    String signedHeaders = "host;x-amz-content-sha256;x-amz-date";
    String canonical = method + "\n" + path + "\n\n" + "host:" + host + "\nx-amz-content-sha256:" + emptyHash
        + "\nx-amz-date:" + time + "\n\n" + signedHeaders + "\n" + emptyHash;
    String scope = day + "/" + REGION + "/s3/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + time + "\n" + scope + "\n" + hex(sha256(canonical.getBytes(StandardCharsets.UTF_8)));
    byte[] key = ("AWS4" + SECRET_KEY).getBytes(StandardCharsets.UTF_8);
    for (String part : List.of(day, REGION, "s3", "aws4_request")) {
      key = hmac(key, part);
    }
    String authorization = "AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/" + scope + ", SignedHeaders="
        + signedHeaders + ", Signature=" + hex(hmac(key, toSign));
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .header("x-amz-content-sha256", emptyHash).header("x-amz-date", time).header("Authorization", authorization)
        .timeout(Duration.ofSeconds(30)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static int freePort() throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return free.getLocalPort();
    }
  }

  // ------------------------------------------------------------------ owner records and the stale sweep

  /** The owner file: this JVM first, then each daemon as it starts, one {@code pid startMillis} per line. */
  private void recordOwner() throws IOException {
    Files.writeString(root.resolve(OWNER_FILE), pidLine(ProcessHandle.current()));
  }

  private static String pidLine(ProcessHandle p) {
    return p.pid() + " " + p.info().startInstant().map(Instant::toEpochMilli).orElse(0L) + "\n";
  }

  /** The process a line names, if it is still the same process (pid and start time). */
  private static Optional<ProcessHandle> living(String line) {
    String[] parts = line.trim().split(" ");
    if (parts.length != 2) {
      return Optional.empty();
    }
    long start = Long.parseLong(parts[1]);
    return ProcessHandle.of(Long.parseLong(parts[0])).filter(ProcessHandle::isAlive)
        .filter(p -> p.info().startInstant().map(Instant::toEpochMilli).orElse(0L) == start);
  }

  /**
   * Stops the daemons of launchers whose JVM died without closing them (killed: no shutdown hook ran), and removes
   * their directories. A launcher whose JVM still runs is left alone, whoever owns it.
   */
  private static void sweepStale() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
      for (Path dir : dirs) {
        Path owner = dir.resolve(OWNER_FILE);
        List<String> lines;
        try {
          lines = Files.readAllLines(owner);
        } catch (IOException unreadable) {
          continue; // not ours to judge: another user's, or a launcher still writing it
        }
        if (lines.isEmpty() || living(lines.get(0)).isPresent()) {
          continue;
        }
        for (String line : lines.subList(1, lines.size())) {
          living(line).ifPresent(p -> {
            p.destroyForcibly();
            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
          });
        }
        deleteTree(dir);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException leftInTmp) {
      // a daemon's last log line racing the removal; the next start's sweep removes the rest
    }
  }
}
