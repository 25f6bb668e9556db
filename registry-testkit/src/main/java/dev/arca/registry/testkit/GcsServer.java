package dev.arca.registry.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;

/**
 * A Google Cloud Storage JSON API server in this JVM, on 127.0.0.1 and a free port, for the tests of the GCS
 * backend: no GCS emulator can be installed here (shared/TEST-SERVERS.md).
 *
 * <p>It implements what the backend and the official client use, with GCS semantics as documented at
 * cloud.google.com/storage/docs/json_api: buckets (insert, get); object insert by media, multipart and resumable
 * upload (308 and {@code Range} while a resumable upload is incomplete, preconditions checked when it is
 * finalized, {@code md5Hash} / {@code crc32c} sent by the client checked against the content); object get,
 * patch and delete; downloads under {@code /download/storage/v1} with {@code Range}; list with
 * {@code prefix}, {@code delimiter}, {@code maxResults}, {@code pageToken}; the preconditions
 * {@code ifGenerationMatch} (0: the object must not exist), {@code ifGenerationNotMatch},
 * {@code ifMetagenerationMatch} and {@code ifMetagenerationNotMatch}, answered with 412 {@code conditionNotMet};
 * gzip request bodies. Its tests in this module state each behaviour with the official client as caller.
 *
 * <p>Every precondition check and the write it guards happen under the bucket's lock, so racing writers see
 * GCS's atomicity. Contents live in files under a temporary directory, so large objects cost no heap. Optional
 * modes serve the tests of clients: {@link Builder#ignoringPreconditions()} (a broken server) and
 * {@link Builder#requireToken(String)} (a bearer token every request must carry).
 */
public final class GcsServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern OBJECT_PATH =
      Pattern.compile("/(?:(upload|download)/)?storage/v1/b/([^/]+)/o(?:/(.+))?");
  private static final Pattern BUCKET_PATH = Pattern.compile("/storage/v1/b(?:/([^/]+))?");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)");
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
  private static final int DEFAULT_PAGE = 1000;

  static {
    // Without TCP_NODELAY every response waits out the client's delayed ACK: 40 ms a request (Nagle).
    // Read once when the JDK's server first loads; set here, before this class starts one.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  private final HttpServer http;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "gcs-server");
    t.setDaemon(true);
    return t;
  });
  private final Path root;
  private final boolean ignorePreconditions;
  private final @Nullable String token;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
  private final AtomicLong generations = new AtomicLong(Instant.now().toEpochMilli() * 1000);
  private final AtomicLong requests = new AtomicLong();
  private final URI endpoint;

  private GcsServer(Builder b) throws IOException {
    this.root = Files.createTempDirectory("arca-gcs-");
    this.ignorePreconditions = b.ignorePreconditions;
    this.token = b.token;
    this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.createContext("/", this::handle);
    http.setExecutor(threads);
    http.start();
    this.endpoint = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
  }

  /**
   * Starts a faithful server.
   *
   * @return the running server
   * @throws IOException when it cannot start
   */
  public static GcsServer start() throws IOException {
    return builder().start();
  }

  /**
   * Starts configuring a server.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Server options. */
  public static final class Builder {
    private boolean ignorePreconditions;
    private @Nullable String token;

    private Builder() {}

    /**
     * Accepts every write and delete whatever its preconditions say: a broken server, for the capability probe.
     *
     * @return this
     */
    public Builder ignoringPreconditions() {
      this.ignorePreconditions = true;
      return this;
    }

    /**
     * Answers 401 to every request that does not carry {@code Authorization: Bearer <token>}.
     *
     * @param bearer the token
     * @return this
     */
    public Builder requireToken(String bearer) {
      this.token = bearer;
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws IOException when it cannot start
     */
    public GcsServer start() throws IOException {
      return new GcsServer(this);
    }
  }

  /**
   * The base URL to give the client ({@code StorageOptions.Builder.setHost}).
   *
   * @return e.g. {@code http://127.0.0.1:41234}
   */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * Creates a bucket with a fresh name.
   *
   * @return its name
   */
  public String createBucket() {
    String name = "arca-" + UUID.randomUUID().toString().substring(0, 13);
    buckets.put(name, new Bucket(name));
    return name;
  }

  /**
   * How many HTTP requests the server has answered.
   *
   * @return the count
   */
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() throws IOException {
    http.stop(0);
    threads.shutdownNow();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  // ---- Dispatch --------------------------------------------------------------------------------------------

  private void handle(HttpExchange ex) {
    requests.incrementAndGet();
    try (ex) {
      try {
        route(ex);
      } catch (GcsError e) {
        error(ex, e.status, e.reason, e.getMessage());
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (a cancelled download) or a bug; the latter shows as a 500 when still possible.
      try {
        error(ex, 500, "backendError", String.valueOf(e));
      } catch (IOException | RuntimeException ignored) {
        // the response had started or the connection is gone
      }
    }
  }

  private void route(HttpExchange ex) throws IOException {
    if (token != null) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (!("Bearer " + token).equals(auth)) {
        throw new GcsError(401, "authError", "Invalid Credentials");
      }
    }
    String path = ex.getRequestURI().getRawPath();
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override"); // how the client sends PATCH
    String method = override != null && ex.getRequestMethod().equals("POST") ? override : ex.getRequestMethod();
    Matcher m = OBJECT_PATH.matcher(path);
    if (m.matches()) {
      Bucket bucket = bucket(decode(m.group(2)));
      String kind = m.group(1);
      String name = m.group(3) == null ? null : decode(m.group(3));
      if ("upload".equals(kind)) {
        upload(ex, bucket, method, query);
      } else if ("download".equals(kind) || (name != null && "media".equals(query.get("alt")))) {
        require(method.equals("GET") && name != null, ex);
        download(ex, bucket, name, query);
      } else if (name == null) {
        require(method.equals("GET"), ex);
        list(ex, bucket, query);
      } else {
        switch (method) {
          case "GET" -> sendJson(ex, 200, bucket.current(name, query).json());
          case "PATCH", "PUT" -> sendJson(ex, 200, bucket.patch(name, query, readJson(ex)).json());
          case "DELETE" -> {
            bucket.delete(name, query);
            send(ex, 204, null, new byte[0]);
          }
          default -> require(false, ex);
        }
      }
      return;
    }
    m = BUCKET_PATH.matcher(path);
    if (m.matches()) {
      if (m.group(1) == null && method.equals("POST")) {
        String name = readJson(ex).path("name").asText();
        if (buckets.putIfAbsent(name, new Bucket(name)) != null) {
          throw new GcsError(409, "conflict", "Your previous request to create the named bucket succeeded and you"
              + " already own it.");
        }
        sendJson(ex, 200, buckets.get(name).json());
        return;
      }
      if (m.group(1) != null && method.equals("GET")) {
        sendJson(ex, 200, bucket(decode(m.group(1))).json());
        return;
      }
    }
    throw new GcsError(404, "notFound", "Not Found: " + method + " " + path);
  }

  private static void require(boolean supported, HttpExchange ex) {
    if (!supported) {
      throw new GcsError(405, "methodNotAllowed", ex.getRequestMethod() + " is not supported on "
          + ex.getRequestURI().getRawPath());
    }
  }

  private Bucket bucket(String name) {
    Bucket b = buckets.get(name);
    if (b == null) {
      throw new GcsError(404, "notFound", "The specified bucket does not exist.");
    }
    return b;
  }

  // ---- Uploads ---------------------------------------------------------------------------------------------

  private void upload(HttpExchange ex, Bucket bucket, String method, Map<String, String> query) throws IOException {
    String type = query.getOrDefault("uploadType", "media");
    if (method.equals("POST") && type.equals("media")) {
      String name = query.get("name");
      if (name == null) {
        throw new GcsError(400, "required", "Required parameter: name");
      }
      Path file = spool(body(ex));
      ObjectNode metadata = JSON.createObjectNode().put("name", name);
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      if (contentType != null) {
        metadata.put("contentType", contentType);
      }
      sendJson(ex, 200, bucket.insert(metadata, file, query).json());
    } else if (method.equals("POST") && type.equals("multipart")) {
      Multipart parts = Multipart.parse(ex.getRequestHeaders().getFirst("Content-Type"), body(ex).readAllBytes());
      ObjectNode metadata = (ObjectNode) JSON.readTree(parts.metadata);
      if (query.containsKey("name")) {
        metadata.put("name", query.get("name"));
      }
      Path file = spool(new java.io.ByteArrayInputStream(parts.media));
      sendJson(ex, 200, bucket.insert(metadata, file, query).json());
    } else if (method.equals("POST") && type.equals("resumable")) {
      ObjectNode metadata = readJson(ex);
      if (query.containsKey("name")) {
        metadata.put("name", query.get("name"));
      }
      if (metadata.path("name").asText().isEmpty()) {
        throw new GcsError(400, "required", "Required: object name");
      }
      String id = UUID.randomUUID().toString();
      uploads.put(id, new Upload(bucket, metadata, query, Files.createTempFile(root, "upload-", "")));
      String host = ex.getRequestHeaders().getFirst("Host"); // as GCS does: the session URL is on the host asked
      String location = (host != null ? "http://" + host : endpoint.toString()) + "/upload/storage/v1/b/" + bucket.name + "/o?uploadType=resumable&upload_id=" + id;
      ex.getResponseHeaders().set("Location", location);
      ex.getResponseHeaders().set("X-GUploader-UploadID", id);
      send(ex, 200, null, new byte[0]);
    } else if (method.equals("PUT") && query.containsKey("upload_id")) {
      resumablePut(ex, query.get("upload_id"));
    } else if (method.equals("DELETE") && query.containsKey("upload_id")) {
      Upload cancelled = uploads.remove(query.get("upload_id"));
      if (cancelled != null) {
        Files.deleteIfExists(cancelled.file);
      }
      send(ex, 499, null, new byte[0]);
    } else {
      throw new GcsError(400, "invalid", "unsupported upload: " + method + " uploadType=" + type);
    }
  }

  /** One chunk of a resumable upload, or a status query; finalizes when the total is known and reached. */
  private void resumablePut(HttpExchange ex, String id) throws IOException {
    Upload upload = uploads.get(id);
    if (upload == null) {
      throw new GcsError(404, "notFound", "No such upload session: " + id);
    }
    synchronized (upload) {
      if (upload.result != null) { // already finalized: GCS answers the object again
        sendJson(ex, 200, upload.result.json());
        return;
      }
      if (upload.failure != null) {
        throw upload.failure;
      }
      String range = ex.getRequestHeaders().getFirst("Content-Range");
      Matcher m = range == null ? null : CONTENT_RANGE.matcher(range);
      if (m == null || !m.matches()) {
        throw new GcsError(400, "invalid", "Content-Range required, got " + range);
      }
      long total = m.group(4).equals("*") ? -1 : Long.parseLong(m.group(4));
      byte[] chunk = body(ex).readAllBytes();
      try { // GCS evaluates a session's preconditions as data arrives, not only when it finalizes
        upload.bucket.checkPreconditions(upload.metadata.path("name").asText(), upload.query);
      } catch (GcsError e) {
        upload.failure = e;
        throw e;
      }
      if (m.group(2) != null) {
        long first = Long.parseLong(m.group(2));
        long last = Long.parseLong(m.group(3));
        if (last - first + 1 != chunk.length) {
          throw new GcsError(400, "invalid", "Content-Range " + range + " does not match " + chunk.length
              + " bytes of body");
        }
        if (first > upload.received) {
          throw new GcsError(400, "invalid", "chunk starts at " + first + " but " + upload.received
              + " bytes were persisted");
        }
        int skip = (int) (upload.received - first); // a resent chunk: keep only what is new
        if (skip < chunk.length) {
          try (OutputStream out = Files.newOutputStream(upload.file, java.nio.file.StandardOpenOption.APPEND)) {
            out.write(chunk, skip, chunk.length - skip);
          }
          upload.received = last + 1;
        }
      }
      if (total >= 0 && upload.received == total) {
        // The session stays, answering the object to a client whose final response was lost (as GCS does).
        try {
          upload.result = upload.bucket.insert(upload.metadata, upload.file, upload.query);
        } catch (GcsError e) {
          upload.failure = e;
          throw e;
        }
        sendJson(ex, 200, upload.result.json());
        return;
      }
      if (total >= 0 && upload.received > total) {
        throw new GcsError(400, "invalid", "received " + upload.received + " bytes, more than the total " + total);
      }
      if (upload.received > 0) {
        ex.getResponseHeaders().set("Range", "bytes=0-" + (upload.received - 1));
      }
      ex.getResponseHeaders().set("X-GUploader-UploadID", id);
      send(ex, 308, null, new byte[0]);
    }
  }

  private Path spool(InputStream in) throws IOException {
    Path file = Files.createTempFile(root, "object-", "");
    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  // ---- Reads -----------------------------------------------------------------------------------------------

  private void download(HttpExchange ex, Bucket bucket, String name, Map<String, String> query) throws IOException {
    // Opened under the bucket's lock: a generation found is served whole even if replaced meanwhile, as GCS does.
    Map.Entry<StoredObject, InputStream> found = bucket.open(name, query);
    try (InputStream in = found.getValue()) {
      download(ex, found.getKey(), in);
    }
  }

  private void download(HttpExchange ex, StoredObject o, InputStream in) throws IOException {
    long size = o.size;
    long first = 0;
    long last = size - 1;
    String range = ex.getRequestHeaders().getFirst("Range");
    int status = 200;
    if (range != null) {
      Matcher m = RANGE.matcher(range);
      if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
        throw new GcsError(400, "invalid", "bad Range " + range);
      }
      if (m.group(1).isEmpty()) { // suffix: the last n bytes
        first = Math.max(0, size - Long.parseLong(m.group(2)));
      } else {
        first = Long.parseLong(m.group(1));
        if (!m.group(2).isEmpty()) {
          last = Math.min(last, Long.parseLong(m.group(2)));
        }
      }
      if (first >= size && size > 0 || first > 0 && size == 0) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
        throw new GcsError(416, "requestedRangeNotSatisfiable", "The requested range cannot be satisfied.");
      }
      status = 206;
      ex.getResponseHeaders().set("Content-Range", "bytes " + first + "-" + last + "/" + size);
    }
    var h = ex.getResponseHeaders();
    h.set("Content-Type", o.contentType);
    h.set("ETag", o.etag());
    h.set("x-goog-generation", Long.toString(o.generation));
    h.set("x-goog-metageneration", Long.toString(o.metageneration));
    h.set("x-goog-stored-content-length", Long.toString(size));
    h.set("x-goog-stored-content-encoding", "identity");
    h.add("x-goog-hash", "crc32c=" + o.crc32c);
    h.add("x-goog-hash", "md5=" + o.md5);
    long length = Math.max(0, last - first + 1);
    ex.sendResponseHeaders(status, length == 0 ? -1 : length);
    if (length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        in.skipNBytes(first);
        byte[] buffer = new byte[64 << 10];
        long left = length;
        while (left > 0) {
          int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
          out.write(buffer, 0, n);
          left -= n;
        }
      }
    }
  }

  private void list(HttpExchange ex, Bucket bucket, Map<String, String> query) throws IOException {
    String prefix = query.getOrDefault("prefix", "");
    String delimiter = query.get("delimiter");
    int max = Math.min(DEFAULT_PAGE, Integer.parseInt(query.getOrDefault("maxResults", "" + DEFAULT_PAGE)));
    if (max <= 0) {
      throw new GcsError(400, "invalid", "Invalid value for maxResults: " + max);
    }
    // The page token is the last name (object or prefix) the previous page ended with.
    String after = query.containsKey("pageToken")
        ? new String(Base64.getUrlDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8) : null;
    List<StoredObject> items = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    String lastEntry = null;
    boolean more = false;
    synchronized (bucket) {
      NavigableMap<String, StoredObject> range = after == null ? bucket.objects.tailMap(prefix, true)
          : bucket.objects.tailMap(after, false);
      for (Iterator<Map.Entry<String, StoredObject>> it = range.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, StoredObject> e = it.next();
        String name = e.getKey();
        if (!name.startsWith(prefix)) {
          break;
        }
        int cut = delimiter == null ? -1 : name.indexOf(delimiter, prefix.length());
        String entry = cut < 0 ? name : name.substring(0, cut + delimiter.length());
        if (entry.equals(lastEntry)) {
          continue; // another object under a prefix already listed
        }
        if (items.size() + prefixes.size() == max) {
          more = true;
          break;
        }
        if (cut < 0) {
          items.add(e.getValue());
        } else {
          prefixes.add(entry);
        }
        lastEntry = entry;
      }
    }
    ObjectNode page = JSON.createObjectNode().put("kind", "storage#objects");
    if (more) {
      // Resume after everything under the last entry: past a prefix means past all its objects.
      String resume = lastEntry.endsWith(delimiter == null ? "\0" : delimiter) ? lastEntry + Character.MAX_VALUE
          : lastEntry;
      page.put("nextPageToken", Base64.getUrlEncoder().withoutPadding()
          .encodeToString(resume.getBytes(StandardCharsets.UTF_8)));
    }
    if (!prefixes.isEmpty()) {
      ArrayNode p = page.putArray("prefixes");
      prefixes.forEach(p::add);
    }
    if (!items.isEmpty()) {
      ArrayNode i = page.putArray("items");
      items.forEach(o -> i.add(o.json()));
    }
    sendJson(ex, 200, page);
  }

  // ---- The object model ------------------------------------------------------------------------------------

  /** A bucket: the live generation of each object, under one lock that makes preconditions atomic. */
  private final class Bucket {
    final String name;
    final TreeMap<String, StoredObject> objects = new TreeMap<>();
    final Instant created = Instant.now();

    Bucket(String name) {
      this.name = name;
    }

    ObjectNode json() {
      return JSON.createObjectNode().put("kind", "storage#bucket").put("id", name).put("name", name)
          .put("timeCreated", created.toString()).put("updated", created.toString()).put("location", "US")
          .put("storageClass", "STANDARD").put("metageneration", "1").put("etag", "CAE=");
    }

    synchronized StoredObject current(String object, Map<String, String> query) {
      StoredObject o = objects.get(object);
      if (query.containsKey("generation") && o != null && o.generation != Long.parseLong(query.get("generation"))) {
        o = null; // no versioning here: an older generation is gone
      }
      if (o == null) {
        throw new GcsError(404, "notFound", "No such object: " + name + "/" + object);
      }
      checkPreconditions(o, query);
      return o;
    }

    /** The live generation and its content, opened before a replace can delete its file. */
    synchronized Map.Entry<StoredObject, InputStream> open(String object, Map<String, String> query)
        throws IOException {
      StoredObject o = current(object, query);
      return Map.entry(o, Files.newInputStream(o.file));
    }

    /** Makes {@code file} the new live generation of the object if the preconditions hold. */
    StoredObject insert(ObjectNode metadata, Path file, Map<String, String> query) throws IOException {
      String object = metadata.path("name").asText();
      if (object.isEmpty() || object.length() > 1024) {
        Files.deleteIfExists(file);
        throw new GcsError(400, "invalid", "Object name must be 1 to 1024 bytes");
      }
      Digests digests = Digests.of(file);
      if (metadata.has("md5Hash") && !metadata.get("md5Hash").asText().equals(digests.md5)
          || metadata.has("crc32c") && !metadata.get("crc32c").asText().equals(digests.crc32c)) {
        Files.deleteIfExists(file);
        throw new GcsError(400, "invalid", "Provided MD5 hash or CRC32C checksum does not match the content"
            + " (computed md5 " + digests.md5 + ", crc32c " + digests.crc32c + ")");
      }
      Map<String, String> custom = new LinkedHashMap<>();
      metadata.path("metadata").fields().forEachRemaining(e -> custom.put(e.getKey(), e.getValue().asText()));
      String contentType = metadata.path("contentType").asText("application/octet-stream");
      synchronized (this) {
        StoredObject old = objects.get(object);
        try {
          checkPreconditions(old, query);
        } catch (GcsError e) {
          Files.deleteIfExists(file);
          throw e;
        }
        long generation = generations.incrementAndGet();
        Path stored = root.resolve("g" + generation);
        Files.move(file, stored);
        StoredObject o = new StoredObject(name, object, generation, 1, Files.size(stored), contentType,
            digests.md5, digests.crc32c, custom, Instant.now(), stored);
        objects.put(object, o);
        if (old != null) {
          Files.deleteIfExists(old.file); // readers holding it open keep reading (POSIX)
        }
        return o;
      }
    }

    synchronized StoredObject patch(String object, Map<String, String> query, JsonNode changes) {
      StoredObject o = current(object, query);
      Map<String, String> custom = new LinkedHashMap<>(o.metadata);
      changes.path("metadata").fields().forEachRemaining(e -> {
        if (e.getValue().isNull()) {
          custom.remove(e.getKey());
        } else {
          custom.put(e.getKey(), e.getValue().asText());
        }
      });
      String contentType = changes.path("contentType").asText(o.contentType);
      StoredObject updated = new StoredObject(name, object, o.generation, o.metageneration + 1, o.size, contentType,
          o.md5, o.crc32c, custom, Instant.now(), o.file);
      objects.put(object, updated);
      return updated;
    }

    synchronized void delete(String object, Map<String, String> query) throws IOException {
      StoredObject o = current(object, query);
      objects.remove(object);
      Files.deleteIfExists(o.file);
    }

    /** GCS's precondition rules; {@code current} is null when the object does not exist. */
    synchronized void checkPreconditions(String object, Map<String, String> query) {
      checkPreconditions(objects.get(object), query);
    }

    private void checkPreconditions(@Nullable StoredObject current, Map<String, String> query) {
      if (ignorePreconditions) {
        return;
      }
      long generation = current == null ? 0 : current.generation;
      String match = query.get("ifGenerationMatch");
      String notMatch = query.get("ifGenerationNotMatch");
      String metaMatch = query.get("ifMetagenerationMatch");
      String metaNotMatch = query.get("ifMetagenerationNotMatch");
      boolean holds = (match == null || Long.parseLong(match) == generation)
          && (notMatch == null || Long.parseLong(notMatch) != generation)
          && (metaMatch == null || current != null && Long.parseLong(metaMatch) == current.metageneration)
          && (metaNotMatch == null || current == null || Long.parseLong(metaNotMatch) != current.metageneration);
      if (!holds) {
        throw new GcsError(412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
      }
    }
  }

  private record StoredObject(String bucket, String name, long generation, long metageneration, long size,
      String contentType, String md5, String crc32c, Map<String, String> metadata, Instant updated, Path file) {

    String etag() {
      return Base64.getEncoder().encodeToString(ByteBuffer.allocate(16).putLong(generation)
          .putLong(metageneration).array());
    }

    ObjectNode json() {
      // uint64 fields are JSON strings in the GCS API.
      ObjectNode o = JSON.createObjectNode().put("kind", "storage#object")
          .put("id", bucket + "/" + name + "/" + generation).put("name", name).put("bucket", bucket)
          .put("generation", Long.toString(generation)).put("metageneration", Long.toString(metageneration))
          .put("contentType", contentType).put("size", Long.toString(size)).put("md5Hash", md5)
          .put("crc32c", crc32c).put("etag", etag()).put("storageClass", "STANDARD")
          .put("timeCreated", updated.toString()).put("updated", updated.toString());
      if (!metadata.isEmpty()) {
        ObjectNode m = o.putObject("metadata");
        metadata.forEach(m::put);
      }
      return o;
    }
  }

  private static final class Upload {
    final Bucket bucket;
    final ObjectNode metadata;
    final Map<String, String> query;
    final Path file;
    long received;
    @Nullable StoredObject result;
    /** Why finalizing failed (a precondition): the session answers it again to every later request. */
    @Nullable GcsError failure;

    Upload(Bucket bucket, ObjectNode metadata, Map<String, String> query, Path file) {
      this.bucket = bucket;
      this.metadata = metadata;
      this.query = query;
      this.file = file;
    }
  }

  private record Digests(String md5, String crc32c) {
    static Digests of(Path file) throws IOException {
      MessageDigest md5;
      try {
        md5 = MessageDigest.getInstance("MD5");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      CRC32C crc = new CRC32C();
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buffer = new byte[64 << 10];
        for (int n; (n = in.read(buffer)) > 0; ) {
          md5.update(buffer, 0, n);
          crc.update(buffer, 0, n);
        }
      }
      byte[] crcBytes = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
      return new Digests(Base64.getEncoder().encodeToString(md5.digest()),
          Base64.getEncoder().encodeToString(crcBytes));
    }
  }

  /** A multipart/related body: the JSON metadata part, then the media part. */
  private record Multipart(byte[] metadata, byte[] media) {
    static Multipart parse(@Nullable String contentType, byte[] body) {
      Matcher m = contentType == null ? null : Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
      if (m == null || !m.find()) {
        throw new GcsError(400, "invalid", "multipart upload without a boundary: " + contentType);
      }
      byte[] delimiter = ("--" + m.group(1)).getBytes(StandardCharsets.ISO_8859_1);
      List<byte[]> parts = new ArrayList<>();
      int at = indexOf(body, delimiter, 0);
      while (at >= 0) {
        int start = at + delimiter.length;
        if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
          break; // the closing delimiter
        }
        int next = indexOf(body, delimiter, start);
        if (next < 0) {
          break;
        }
        int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
        int contentEnd = next - 2; // the CRLF before the delimiter belongs to it
        parts.add(java.util.Arrays.copyOfRange(body, headersEnd + 4, contentEnd));
        at = next;
      }
      if (parts.size() != 2) {
        throw new GcsError(400, "invalid", "multipart upload needs 2 parts, got " + parts.size());
      }
      return new Multipart(parts.get(0), parts.get(1));
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
      outer:
      for (int i = from; i <= data.length - pattern.length; i++) {
        for (int j = 0; j < pattern.length; j++) {
          if (data[i + j] != pattern[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }

  /** An error answered in GCS's JSON error shape. */
  private static final class GcsError extends RuntimeException {
    final int status;
    final String reason;

    GcsError(int status, String reason, String message) {
      super(message, null, false, false);
      this.status = status;
      this.reason = reason;
    }
  }

  // ---- HTTP plumbing ---------------------------------------------------------------------------------------

  private static InputStream body(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
    return encoding != null && encoding.equalsIgnoreCase("gzip") ? new GZIPInputStream(in) : in;
  }

  private static ObjectNode readJson(HttpExchange ex) throws IOException {
    byte[] bytes = body(ex).readAllBytes();
    if (bytes.length == 0) {
      return JSON.createObjectNode();
    }
    JsonNode node = JSON.readTree(bytes);
    if (!(node instanceof ObjectNode object)) {
      throw new GcsError(400, "parseError", "request body is not a JSON object");
    }
    return object;
  }

  private static void error(HttpExchange ex, int status, String reason, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error").put("code", status).put("message", message);
    error.putArray("errors").addObject().put("message", message).put("domain", "global").put("reason", reason);
    sendJson(ex, status, body);
  }

  private static void sendJson(HttpExchange ex, int status, JsonNode json) throws IOException {
    send(ex, status, "application/json; charset=UTF-8", JSON.writeValueAsBytes(json));
  }

  private static void send(HttpExchange ex, int status, @Nullable String contentType, byte[] body)
      throws IOException {
    ex.getRequestBody().transferTo(OutputStream.nullOutputStream()); // drain what the client sent
    if (contentType != null) {
      ex.getResponseHeaders().set("Content-Type", contentType);
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static Map<String, String> query(@Nullable String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        query.put(decode(eq < 0 ? pair : pair.substring(0, eq), true),
            eq < 0 ? "" : decode(pair.substring(eq + 1), true));
      }
    }
    return query;
  }

  /** Percent-decoding of a path segment: '+' is itself there. */
  private static String decode(String s) {
    return decode(s, false);
  }

  private static String decode(String s, boolean plusIsSpace) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        out.write(Integer.parseInt(s, i + 1, i + 3, 16));
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        out.write(' ');
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
