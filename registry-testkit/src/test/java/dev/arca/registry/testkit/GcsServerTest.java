package dev.arca.registry.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.cloud.NoCredentials;
import com.google.cloud.ReadChannel;
import com.google.cloud.WriteChannel;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.BucketInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The testkit's GCS server, with the official client as the caller. Each test names the GCS behaviour it
 * assumes (cloud.google.com/storage/docs/json_api), because the server encodes our reading of it. Raw HTTP is
 * used only where the client gives no handle on the wire (media uploads, gzip bodies, 308 responses).
 */
class GcsServerTest {

  private static GcsServer server;
  private static Storage storage;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private String bucket;

  @BeforeAll
  static void start() throws IOException {
    server = GcsServer.start();
    storage = client(server);
  }

  @AfterAll
  static void stop() throws Exception {
    storage.close();
    server.close();
  }

  @BeforeEach
  void freshBucket() {
    bucket = server.createBucket();
  }

  /** No retries: a test that expects an error sees the first one. */
  private static Storage client(GcsServer target) {
    return StorageOptions.http().setHost(target.endpoint().toString()).setProjectId("test")
        .setCredentials(NoCredentials.getInstance())
        .setRetrySettings(RetrySettings.newBuilder().setMaxAttempts(1).build()).build().getService();
  }

  @Test
  void buckets_insertGetAndConflict_andAMissingBucketIsNull() {
    // GCS: buckets.insert creates; a second insert of the name is 409; buckets.get of a missing one is 404.
    storage.create(BucketInfo.of("made-by-client"));

    assertThat(storage.get("made-by-client").getName()).isEqualTo("made-by-client");
    assertThat(storage.get("no-such-bucket")).isNull();
    assertThatThrownBy(() -> storage.create(BucketInfo.of("made-by-client")))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void multipartInsert_givesGenerationMetagenerationSizeAndHashesOfTheContent() throws Exception {
    // GCS: a new object has a fresh generation, metageneration 1, and md5Hash / crc32c (big-endian) in base64.
    byte[] content = "hello gcs".getBytes(UTF_8);

    Blob blob = storage.create(BlobInfo.newBuilder(bucket, "a/b.txt").setContentType("text/plain").build(), content);

    assertThat(blob.getGeneration()).isPositive();
    assertThat(blob.getMetageneration()).isEqualTo(1);
    assertThat(blob.getSize()).isEqualTo(content.length);
    assertThat(blob.getContentType()).isEqualTo("text/plain");
    assertThat(blob.getMd5()).isEqualTo(base64(MessageDigest.getInstance("MD5").digest(content)));
    CRC32C crc = new CRC32C();
    crc.update(content);
    assertThat(blob.getCrc32c()).isEqualTo(base64(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()));
    assertThat(storage.readAllBytes(BlobId.of(bucket, "a/b.txt"))).isEqualTo(content);

    Blob again = storage.create(BlobInfo.newBuilder(bucket, "a/b.txt").build(), content);
    assertThat(again.getGeneration()).as("every write is a new generation").isGreaterThan(blob.getGeneration());
  }

  @Test
  void insert_withAnMd5ThatDoesNotMatchTheContent_isRejected() {
    // GCS: a client-supplied md5Hash or crc32c that does not match the uploaded bytes fails the upload (400).
    BlobInfo info = BlobInfo.newBuilder(bucket, "x").setMd5(base64(new byte[16])).build();

    WriteChannel writer = storage.writer(info, Storage.BlobWriteOption.md5Match());

    assertThatThrownBy(() -> {
      writer.write(ByteBuffer.wrap("data".getBytes(UTF_8)));
      writer.close();
    }).satisfies(e -> assertThat(status(e)).isEqualTo(400));
    assertThat(storage.get(BlobId.of(bucket, "x"))).as("nothing stored").isNull();
  }

  @Test
  void mediaUpload_storesTheBody_andGzipRequestBodiesAreInflated() throws Exception {
    // GCS: uploadType=media takes the name from the query; a Content-Encoding: gzip request body is decoded.
    byte[] content = "plain media body".getBytes(UTF_8);
    HttpResponse<String> plain = HTTP.send(HttpRequest.newBuilder(upload("media", "name=m1"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> gzipped = HTTP.send(HttpRequest.newBuilder(upload("media", "name=m2"))
        .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(gzip(content))).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(plain.statusCode()).isEqualTo(200);
    assertThat(plain.body()).contains("\"name\":\"m1\"");
    assertThat(gzipped.statusCode()).isEqualTo(200);
    assertThat(storage.readAllBytes(BlobId.of(bucket, "m1"))).isEqualTo(content);
    assertThat(storage.readAllBytes(BlobId.of(bucket, "m2"))).isEqualTo(content);
  }

  @Test
  void resumableUpload_answers308WithTheRangeReceived_untilTheLastChunk() throws Exception {
    // GCS: a session starts with a POST that answers a Location; each PUT of a non-final chunk answers 308 with
    // Range: bytes=0-N (absent before any byte); "bytes */*" asks for the status; the final chunk answers 200.
    HttpResponse<String> start = HTTP.send(HttpRequest.newBuilder(upload("resumable", ""))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"big\"}")).build(), HttpResponse.BodyHandlers.ofString());
    URI session = URI.create(start.headers().firstValue("Location").orElseThrow());
    byte[] content = random(300_000);

    HttpResponse<String> empty = put(session, "bytes */*", new byte[0]);
    HttpResponse<String> first = put(session, "bytes 0-262143/*", Arrays.copyOfRange(content, 0, 262_144));
    HttpResponse<String> status = put(session, "bytes */*", new byte[0]);
    HttpResponse<String> last = put(session, "bytes 262144-299999/300000",
        Arrays.copyOfRange(content, 262_144, content.length));

    assertThat(empty.statusCode()).isEqualTo(308);
    assertThat(empty.headers().firstValue("Range")).isEmpty();
    assertThat(first.statusCode()).isEqualTo(308);
    assertThat(first.headers().firstValue("Range")).hasValue("bytes=0-262143");
    assertThat(status.headers().firstValue("Range")).hasValue("bytes=0-262143");
    assertThat(last.statusCode()).isEqualTo(200);
    assertThat(last.body()).contains("\"size\":\"300000\"");
    assertThat(storage.readAllBytes(BlobId.of(bucket, "big"))).isEqualTo(content);
  }

  @Test
  void resumableUpload_throughTheClientWriter_inManyChunks() throws IOException {
    byte[] content = random((1 << 20) + 17);

    try (WriteChannel writer = storage.writer(BlobInfo.newBuilder(bucket, "w").build())) {
      writer.setChunkSize(256 << 10);
      for (int at = 0; at < content.length; at += 100_000) {
        writer.write(ByteBuffer.wrap(content, at, Math.min(100_000, content.length - at)));
      }
    }

    assertThat(storage.readAllBytes(BlobId.of(bucket, "w"))).isEqualTo(content);
  }

  @Test
  void resumableUpload_checksItsPreconditionWhenFinalized_notWhenStarted() throws IOException {
    // GCS: ifGenerationMatch given when a resumable session starts is evaluated when the object is finalized.
    WriteChannel writer = storage.writer(BlobInfo.newBuilder(bucket, "race").build(),
        Storage.BlobWriteOption.doesNotExist());
    writer.setChunkSize(256 << 10);
    writer.write(ByteBuffer.wrap(random(300_000))); // the session is open and a chunk is in
    storage.create(BlobInfo.newBuilder(bucket, "race").build(), "winner".getBytes(UTF_8));

    assertThatThrownBy(writer::close).satisfies(e -> assertThat(status(e)).isEqualTo(412));
    assertThat(storage.readAllBytes(BlobId.of(bucket, "race"))).asString(UTF_8).isEqualTo("winner");
  }

  @Test
  void downloads_serveRanges_and416PastTheEnd() throws Exception {
    // GCS: media downloads honour Range with 206 and Content-Range; a range starting past the end is 416.
    byte[] content = random(100_000);
    storage.create(BlobInfo.newBuilder(bucket, "r").build(), content);

    try (ReadChannel reader = storage.reader(BlobId.of(bucket, "r"))) {
      reader.seek(1000);
      reader.limit(1010);
      assertThat(Channels.newInputStream(reader).readAllBytes()).isEqualTo(Arrays.copyOfRange(content, 1000, 1010));
    }
    URI media = URI.create(server.endpoint() + "/download/storage/v1/b/" + bucket + "/o/r?alt=media");
    HttpResponse<byte[]> ranged = HTTP.send(HttpRequest.newBuilder(media).header("Range", "bytes=5-9").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> past = HTTP.send(HttpRequest.newBuilder(media).header("Range", "bytes=100000-").build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(ranged.statusCode()).isEqualTo(206);
    assertThat(ranged.headers().firstValue("Content-Range")).hasValue("bytes 5-9/100000");
    assertThat(ranged.body()).isEqualTo(Arrays.copyOfRange(content, 5, 10));
    assertThat(past.statusCode()).isEqualTo(416);
  }

  @Test
  void list_withPrefixDelimiterAndPages() {
    // GCS: with delimiter "/", names below a further "/" fold into "prefixes" (the client shows them as
    // directories); maxResults caps items + prefixes per page, and nextPageToken continues after them.
    for (String name : List.of("a/1", "a/2", "a/deep/3", "b/1", "c", "d")) {
      storage.create(BlobInfo.newBuilder(bucket, name).build(), new byte[] {1});
    }

    assertThat(names(storage.list(bucket, Storage.BlobListOption.delimiter("/"))))
        .containsExactlyInAnyOrder("a/", "b/", "c", "d"); // the client puts a page's prefixes after its items
    assertThat(names(storage.list(bucket, Storage.BlobListOption.prefix("a/"), Storage.BlobListOption.delimiter("/"))))
        .containsExactlyInAnyOrder("a/1", "a/2", "a/deep/");
    assertThat(names(storage.list(bucket, Storage.BlobListOption.prefix("a/")))).containsExactly("a/1", "a/2", "a/deep/3");

    List<String> paged = new ArrayList<>();
    int pages = 0;
    Page<Blob> page = storage.list(bucket, Storage.BlobListOption.delimiter("/"), Storage.BlobListOption.pageSize(1));
    while (page != null) {
      pages++;
      paged.addAll(names(page));
      page = page.hasNextPage() ? page.getNextPage() : null;
    }
    assertThat(paged).as("pages follow name order").containsExactly("a/", "b/", "c", "d");
    assertThat(pages).isEqualTo(4);
  }

  @Test
  void ifGenerationMatch_onInsert_zeroMeansAbsent_elseTheLiveGeneration() {
    // GCS: ifGenerationMatch=0 succeeds only when no live object exists; N only when N is the live generation;
    // a failed precondition is 412 and changes nothing.
    Blob first = storage.create(BlobInfo.newBuilder(bucket, "k").build(), "1".getBytes(UTF_8),
        Storage.BlobTargetOption.doesNotExist());

    assertThatThrownBy(() -> storage.create(BlobInfo.newBuilder(bucket, "k").build(), "2".getBytes(UTF_8),
        Storage.BlobTargetOption.doesNotExist())).satisfies(e -> assertThat(status(e)).isEqualTo(412));
    Blob second = storage.create(BlobInfo.newBuilder(bucket, "k").build(), "3".getBytes(UTF_8),
        Storage.BlobTargetOption.generationMatch(first.getGeneration()));
    assertThatThrownBy(() -> storage.create(BlobInfo.newBuilder(bucket, "k").build(), "4".getBytes(UTF_8),
        Storage.BlobTargetOption.generationMatch(first.getGeneration())))
        .satisfies(e -> assertThat(status(e)).isEqualTo(412));
    assertThatThrownBy(() -> storage.create(BlobInfo.newBuilder(bucket, "absent").build(), "5".getBytes(UTF_8),
        Storage.BlobTargetOption.generationMatch(first.getGeneration())))
        .satisfies(e -> assertThat(status(e)).isEqualTo(412));

    assertThat(storage.readAllBytes(BlobId.of(bucket, "k"))).asString(UTF_8).isEqualTo("3");
    assertThat(storage.get(BlobId.of(bucket, "k")).getGeneration()).isEqualTo(second.getGeneration());
    assertThat(storage.get(BlobId.of(bucket, "absent"))).isNull();
  }

  @Test
  void metagenerationMatch_onUpdateInsertAndDelete_andGenerationMatch_onDelete() {
    // GCS: a metadata update (PATCH) bumps metageneration and keeps generation; update, insert and delete honour
    // ifMetagenerationMatch, delete honours ifGenerationMatch; all answer 412 on mismatch.
    Blob blob = storage.create(BlobInfo.newBuilder(bucket, "m").build(), new byte[] {7});

    Blob updated = storage.update(blob.toBuilder().setMetadata(Map.of("owner", "arca")).build(),
        Storage.BlobTargetOption.metagenerationMatch(1));
    assertThatThrownBy(() -> storage.update(blob.toBuilder().setMetadata(Map.of("owner", "late")).build(),
        Storage.BlobTargetOption.metagenerationMatch(1))).satisfies(e -> assertThat(status(e)).isEqualTo(412));
    assertThat(updated.getMetageneration()).isEqualTo(2);
    assertThat(updated.getGeneration()).isEqualTo(blob.getGeneration());
    assertThat(storage.get(BlobId.of(bucket, "m")).getMetadata()).containsEntry("owner", "arca");
    assertThatThrownBy(() -> storage.create(BlobInfo.newBuilder(bucket, "m").build(), new byte[] {8},
        Storage.BlobTargetOption.metagenerationMatch(1))).satisfies(e -> assertThat(status(e)).isEqualTo(412));
    assertThatThrownBy(() -> storage.delete(BlobId.of(bucket, "m"), Storage.BlobSourceOption.metagenerationMatch(1)))
        .satisfies(e -> assertThat(status(e)).isEqualTo(412));

    assertThatThrownBy(() -> storage.delete(BlobId.of(bucket, "m"),
        Storage.BlobSourceOption.generationMatch(blob.getGeneration() + 1)))
        .satisfies(e -> assertThat(status(e)).isEqualTo(412));
    assertThat(storage.delete(BlobId.of(bucket, "m"), Storage.BlobSourceOption.generationMatch(blob.getGeneration())))
        .isTrue();
    assertThat(storage.get(BlobId.of(bucket, "m"))).isNull();
  }

  @Test
  void missingObjects_answer404_whichTheClientShowsAsNullFalseOrAnError() {
    // GCS: objects.get, objects.delete and media downloads of a missing object are 404 with a JSON error body.
    assertThat(storage.get(BlobId.of(bucket, "nope"))).isNull();
    assertThat(storage.delete(BlobId.of(bucket, "nope"))).isFalse();
    assertThatThrownBy(() -> storage.readAllBytes(BlobId.of(bucket, "nope")))
        .satisfies(e -> assertThat(status(e)).isEqualTo(404));
    assertThat(storage.get(BlobId.of("no-such-bucket", "x"))).isNull();
  }

  @Test
  void racingCreators_exactlyOneOfEightWins_everyRound() {
    // GCS: preconditions are atomic with the write they guard.
    for (int round = 0; round < 50; round++) {
      String name = "race-" + round;
      List<Race.Outcome<Blob>> outcomes = Race.run(8, i -> storage.create(BlobInfo.newBuilder(bucket, name).build(),
          ("writer " + i).getBytes(UTF_8), Storage.BlobTargetOption.doesNotExist()));

      assertThat(outcomes.stream().filter(Race.Outcome::ok).count()).as("winners in round " + round).isEqualTo(1);
      assertThat(outcomes).filteredOn(o -> !o.ok()).allSatisfy(o -> assertThat(status(o.error())).isEqualTo(412));
    }
  }

  @Test
  void racingCompareAndSwaps_exactlyOneOfEightWins_everyRound() {
    for (int round = 0; round < 50; round++) {
      String name = "cas-" + round;
      long generation = storage.create(BlobInfo.newBuilder(bucket, name).build(), new byte[0]).getGeneration();
      List<Race.Outcome<Blob>> outcomes = Race.run(8, i -> storage.create(BlobInfo.newBuilder(bucket, name).build(),
          ("writer " + i).getBytes(UTF_8), Storage.BlobTargetOption.generationMatch(generation)));

      assertThat(outcomes.stream().filter(Race.Outcome::ok).count()).as("winners in round " + round).isEqualTo(1);
    }
  }

  @Test
  void brokenMode_ignoresPreconditions() throws Exception {
    try (GcsServer broken = GcsServer.builder().ignoringPreconditions().start(); Storage client = client(broken)) {
      String b = broken.createBucket();
      client.create(BlobInfo.newBuilder(b, "k").build(), new byte[] {1}, Storage.BlobTargetOption.doesNotExist());

      Blob second = client.create(BlobInfo.newBuilder(b, "k").build(), new byte[] {2},
          Storage.BlobTargetOption.doesNotExist());

      assertThat(second.getGeneration()).isPositive();
    }
  }

  @Test
  void tokenMode_answers401WithoutTheBearerToken() throws Exception {
    try (GcsServer guarded = GcsServer.builder().requireToken("right-token").start(); Storage client = client(guarded)) {
      assertThatThrownBy(() -> client.get("any")).satisfies(e -> assertThat(status(e)).isEqualTo(401));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------------------

  private URI upload(String type, String query) {
    return URI.create(server.endpoint() + "/upload/storage/v1/b/" + bucket + "/o?uploadType=" + type
        + (query.isEmpty() ? "" : "&" + query));
  }

  private static HttpResponse<String> put(URI session, String contentRange, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(session).header("Content-Range", contentRange)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> names(Page<Blob> page) {
    List<String> names = new ArrayList<>();
    page.getValues().forEach(b -> names.add(b.getName()));
    return names;
  }

  /** The HTTP status of a client failure, wherever the client wrapped it. */
  private static int status(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StorageException s && s.getCode() > 0) {
        return s.getCode();
      }
    }
    throw new AssertionError("no StorageException with a status in " + e, e);
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }

  private static byte[] random(int size) {
    byte[] b = new byte[size];
    new Random(size).nextBytes(b);
    return b;
  }

  private static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
