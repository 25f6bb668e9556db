package dev.arca.registry.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 forwarding proxy on 127.0.0.1 for tests: it records every request (so a test can count a
 * client's requests on the wire), can rewrite request heads (to play a server that ignores a header), and can
 * inject faults into a share of the exchanges ({@link #withFaults(URI, double, long)}): connection resets, lost
 * responses, 500 and 503 answers, slow responses and truncated bodies; or exactly the faults a {@link FaultPlan}
 * chooses per request ({@link #withFaults(URI, FaultPlan)}). Bodies are streamed through untouched, by
 * Content-Length or chunked framing. Thread-safe.
 */
public final class HttpProxy implements AutoCloseable {

  /**
   * A request head as it crossed the proxy.
   *
   * @param method e.g. {@code PUT}
   * @param target the request target, path and query
   * @param headers the headers, in order
   */
  public record Request(String method, String target, List<Map.Entry<String, String>> headers) {

    /**
     * The first value of a header, matched case-insensitively.
     *
     * @param name the header name
     * @return its value, or null
     */
    public String header(String name) {
      for (Map.Entry<String, String> h : headers) {
        if (h.getKey().equalsIgnoreCase(name)) {
          return h.getValue();
        }
      }
      return null;
    }

    /**
     * This request without a header.
     *
     * @param name the header to drop, case-insensitively
     * @return the new request
     */
    public Request without(String name) {
      List<Map.Entry<String, String>> kept = new ArrayList<>();
      for (Map.Entry<String, String> h : headers) {
        if (!h.getKey().equalsIgnoreCase(name)) {
          kept.add(h);
        }
      }
      return new Request(method, target, kept);
    }

    @Override
    public String toString() {
      return method + " " + target;
    }
  }

  /** What the proxy can do to one exchange. */
  public enum Fault {
    /** The connection is reset before the request reaches the server. */
    RESET,
    /** The server handles the request, then the connection is reset before the response reaches the client. */
    LOST_RESPONSE,
    /** A 500 answered for the server, which never sees the request. */
    STATUS_500,
    /** A 503 answered for the server, which never sees the request. */
    STATUS_503,
    /** The response is held back 50 to 250 ms. */
    SLOW,
    /** Half of a response body arrives, then the connection is reset (bodies of 2 bytes or more). */
    TRUNCATED_BODY,
    /**
     * The response head arrives, then the connection closes cleanly before the body (bodies of 1 byte or more):
     * an empty body under a Content-Length, which only a client that counts the bytes notices (the GCS client
     * does not). What the testkit's GCS server once sent when a replace removed the generation it served.
     * Planned only.
     */
    CUT_BODY,
    /**
     * A 409 answered for the server, which never sees the request: in S3's dialect the
     * {@code ConditionalRequestConflict} AWS answers a conditional write racing another on the same key.
     * Planned only.
     */
    STATUS_409
  }

  /**
   * Chooses the fault for each exchange, for a test that needs one fault at one exact request. Called on the
   * proxy's connection threads, one call per request, before the request goes on; it may act on the server
   * behind meanwhile (e.g. replace an object between two requests of a read).
   */
  @FunctionalInterface
  public interface FaultPlan {
    /**
     * The fault for one exchange.
     *
     * @param request the request head as the client sent it
     * @return the fault, or null to forward the exchange untouched
     */
    @Nullable Fault choose(Request request);
  }

  /** The faults a random proxy chooses among; the planned-only ones stay out so seeds keep their schedules. */
  private static final Fault[] RANDOM_FAULTS = {Fault.RESET, Fault.LOST_RESPONSE, Fault.STATUS_500,
      Fault.STATUS_503, Fault.SLOW, Fault.TRUNCATED_BODY};

  /** Failing random faults one call may meet within {@link #FAULT_WINDOW}. */
  private static final int FAULTS_PER_CALL = 2;
  private static final java.time.Duration FAULT_WINDOW = java.time.Duration.ofMinutes(1);

  private final ServerSocket server;
  private final @Nullable FaultPlan plan;
  private final double faultRate;
  private final java.util.Random faultRandom;
  /** When each call last met failing random faults, newest last; guarded by {@code faultRandom}. */
  private final Map<String, java.util.ArrayDeque<Long>> recentFaults = new java.util.HashMap<>();
  private final Map<Fault, java.util.concurrent.atomic.AtomicLong> injected = new java.util.EnumMap<>(Fault.class);
  private final String upstreamHost;
  private final int upstreamPort;
  private final UnaryOperator<Request> rule;
  private final ExecutorService connections = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "http-proxy");
    t.setDaemon(true);
    return t;
  });
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private HttpProxy(URI upstream, UnaryOperator<Request> rule) throws IOException {
    this(upstream, rule, null, 0, 0);
  }

  private HttpProxy(URI upstream, UnaryOperator<Request> rule, @Nullable FaultPlan plan, double faultRate, long seed)
      throws IOException {
    this.plan = plan;
    this.faultRate = faultRate;
    this.faultRandom = new java.util.Random(seed);
    for (Fault f : Fault.values()) {
      injected.put(f, new java.util.concurrent.atomic.AtomicLong());
    }
    this.upstreamHost = upstream.getHost();
    this.upstreamPort = upstream.getPort();
    this.rule = rule;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    connections.submit(this::accept);
  }

  /**
   * Starts a proxy that forwards everything unchanged.
   *
   * @param upstream {@code http://host:port} of the real server
   * @return the running proxy
   * @throws IOException when it cannot listen
   */
  public static HttpProxy start(URI upstream) throws IOException {
    return new HttpProxy(upstream, r -> r);
  }

  /**
   * Starts a proxy that rewrites each request head before forwarding it.
   *
   * @param upstream {@code http://host:port} of the real server
   * @param rule rewrites a request head
   * @return the running proxy
   * @throws IOException when it cannot listen
   */
  public static HttpProxy start(URI upstream, UnaryOperator<Request> rule) throws IOException {
    return new HttpProxy(upstream, rule);
  }

  /**
   * Starts a proxy that injects a fault into a share of the exchanges, each kind equally likely, but no more than
   * two failing ones into one call (its retries included) within a minute: faults a retrying client outlasts.
   *
   * @param upstream {@code http://host:port} of the real server
   * @param rate the share of exchanges that get a fault, 0 to 1
   * @param seed seeds the choice of exchanges and faults
   * @return the running proxy
   * @throws IOException when it cannot listen
   */
  public static HttpProxy withFaults(URI upstream, double rate, long seed) throws IOException {
    return new HttpProxy(upstream, r -> r, null, rate, seed);
  }

  /**
   * Starts a proxy that injects exactly the faults a plan chooses.
   *
   * @param upstream {@code http://host:port} of the real server
   * @param plan chooses each exchange's fault
   * @return the running proxy
   * @throws IOException when it cannot listen
   */
  public static HttpProxy withFaults(URI upstream, FaultPlan plan) throws IOException {
    return new HttpProxy(upstream, r -> r, plan, 0, 0);
  }

  /**
   * How many faults of each kind were injected so far.
   *
   * @return a snapshot, every kind present
   */
  public Map<Fault, Long> injected() {
    Map<Fault, Long> counts = new java.util.EnumMap<>(Fault.class);
    injected.forEach((k, v) -> counts.put(k, v.get()));
    return counts;
  }

  private @Nullable Fault nextFault(Request request) {
    Fault f;
    if (plan != null) {
      f = plan.choose(request);
    } else {
      synchronized (faultRandom) {
        if (faultRate <= 0 || faultRandom.nextDouble() >= faultRate) {
          return null;
        }
        f = RANDOM_FAULTS[faultRandom.nextInt(RANDOM_FAULTS.length)];
        if (f != Fault.SLOW && !withinFaultBudget(call(request))) {
          return null;
        }
      }
    }
    if (f != null) {
      injected.get(f).incrementAndGet();
    }
    return f;
  }

  /**
   * What stays the same across one call's retries: the invocation id the AWS SDK and the GCS client send with every
   * attempt, else (MinIO's client, oras-java) the method and URI, which every client sending them shares.
   */
  private static String call(Request request) {
    for (String id : new String[] {"amz-sdk-invocation-id", "x-goog-gcs-idempotency-token"}) {
      String value = request.header(id);
      if (value != null) {
        return id + " " + value;
      }
    }
    return request.method() + " " + request.target();
  }

  /**
   * Random faults are transient: one call (see {@link #call}) meets at most {@value #FAULTS_PER_CALL} failing
   * faults within {@link #FAULT_WINDOW}. A client that tries each call at least three times (every store here tries
   * four or more) then always gets through, so the fault suites can demand that every operation succeeds; what a
   * store does when its retries run out is tested with planned faults.
   */
  private boolean withinFaultBudget(String call) {
    long now = System.nanoTime();
    if (recentFaults.size() > 100_000) {
      recentFaults.values().removeIf(t -> t.isEmpty() || now - t.peekLast() > FAULT_WINDOW.toNanos());
    }
    java.util.ArrayDeque<Long> times = recentFaults.computeIfAbsent(call, t -> new java.util.ArrayDeque<>());
    while (!times.isEmpty() && now - times.peekFirst() > FAULT_WINDOW.toNanos()) {
      times.removeFirst();
    }
    if (times.size() >= FAULTS_PER_CALL) {
      return false;
    }
    times.addLast(now);
    return true;
  }

  /**
   * Where clients connect.
   *
   * @return {@code http://127.0.0.1:PORT}
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  /**
   * The requests forwarded so far, as the client sent them, oldest first.
   *
   * @return a snapshot
   */
  public List<Request> requests() {
    return Collections.unmodifiableList(new ArrayList<>(requests));
  }

  /** Forgets the recorded requests. */
  public void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : open) {
      s.close();
    }
    connections.shutdownNow();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        connections.submit(() -> serve(client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    try (client; Socket upstream = new Socket(upstreamHost, upstreamPort)) {
      open.add(upstream);
      InputStream clientIn = new BufferedInputStream(client.getInputStream());
      OutputStream clientOut = new BufferedOutputStream(client.getOutputStream());
      InputStream upIn = new BufferedInputStream(upstream.getInputStream());
      OutputStream upOut = new BufferedOutputStream(upstream.getOutputStream());
      while (true) {
        Head requestHead = readHead(clientIn);
        if (requestHead == null) {
          return;
        }
        String[] line = requestHead.firstLine.split(" ", 3);
        Request original = new Request(line[0], line[1], requestHead.headers);
        requests.add(original);
        Request sent = rule.apply(original);
        Fault fault = nextFault(original);
        if (fault == Fault.RESET) {
          reset(client);
          return;
        }
        if (fault == Fault.STATUS_500 || fault == Fault.STATUS_503 || fault == Fault.STATUS_409) {
          if (!"100-continue".equalsIgnoreCase(sent.header("Expect"))) {
            copyBody(clientIn, OutputStream.nullOutputStream(), sent.headers, true);
          }
          int status = fault == Fault.STATUS_500 ? 500 : fault == Fault.STATUS_503 ? 503 : 409;
          String[] error = errorBody(sent, status);
          byte[] body = error[1].getBytes(StandardCharsets.ISO_8859_1);
          clientOut.write(("HTTP/1.1 " + status + " " + error[2] + "\r\nContent-Type: " + error[0] + "\r\nContent-Length: " + body.length
              + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
          clientOut.write(body);
          clientOut.flush();
          return;
        }
        if ("100-continue".equalsIgnoreCase(sent.header("Expect"))) {
          // Answer for the server: the client sends its body only after this, and the proxy forwards whole bodies.
          clientOut.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
          clientOut.flush();
          sent = sent.without("Expect");
        }
        writeHead(upOut, sent.method + " " + sent.target + " " + line[2], sent.headers);
        copyBody(clientIn, upOut, sent.headers, true);
        upOut.flush();
        Head response;
        do {
          response = readHead(upIn);
          if (response == null) {
            return;
          }
          if (fault == Fault.SLOW) {
            Thread.sleep(50 + faultRandom.nextInt(200)); // latency, not synchronization
          }
          if (fault == Fault.LOST_RESPONSE) {
            reset(client);
            return;
          }
          writeHead(clientOut, response.firstLine, response.headers);
        } while (response.status() >= 100 && response.status() < 200);
        boolean bodiless = sent.method.equals("HEAD") || response.status() == 204 || response.status() == 304;
        String length = response.header("Content-Length");
        if (fault == Fault.TRUNCATED_BODY && !bodiless && length != null && Long.parseLong(length.trim()) >= 2) {
          copyExactly(upIn, clientOut, Long.parseLong(length.trim()) / 2);
          clientOut.flush();
          reset(client);
          return;
        }
        if (fault == Fault.CUT_BODY && !bodiless && length != null && Long.parseLong(length.trim()) >= 1) {
          clientOut.flush();
          return; // the socket closes cleanly on the way out
        }
        if (!bodiless && !copyBody(upIn, clientOut, response.headers, false)) {
          upIn.transferTo(clientOut); // neither length nor chunked: the body runs to the end of the connection
          clientOut.flush();
          return;
        }
        clientOut.flush();
        if ("close".equalsIgnoreCase(response.header("Connection"))
            || "close".equalsIgnoreCase(sent.header("Connection"))) {
          return;
        }
      }
    } catch (SocketException closed) {
      // a side hung up, or the proxy is closing
    } catch (IOException e) {
      // a broken exchange ends this connection; the client sees the reset
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * An error answer in the dialect of the server behind: S3's XML for signed S3 requests, the distribution API's
   * JSON for {@code /v2/} paths, GCS's JSON otherwise.
   *
   * @return the content type, the body and the reason phrase
   */
  private static String[] errorBody(Request request, int status) {
    String reason = status == 500 ? "Internal Server Error" : status == 503 ? "Service Unavailable" : "Conflict";
    String code = status == 500 ? "InternalError" : status == 503 ? "ServiceUnavailable" : "ConditionalRequestConflict";
    String auth = request.header("Authorization");
    if (request.header("x-amz-date") != null || (auth != null && auth.startsWith("AWS"))) {
      return new String[] {"application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
          + "</Code><Message>injected fault</Message><RequestId>fault</RequestId></Error>", reason};
    }
    if (request.target().startsWith("/v2/")) {
      return new String[] {"application/json", "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"injected"
          + " fault\"}]}", reason};
    }
    String gcsReason = status == 409 ? "conflict" : "backendError";
    return new String[] {"application/json", "{\"error\":{\"code\":" + status + ",\"message\":\"injected fault\","
        + "\"errors\":[{\"reason\":\"" + gcsReason + "\",\"message\":\"injected fault\"}]}}", reason};
  }

  /** Closes with a TCP reset (SO_LINGER 0), as a crashed peer or a middlebox would. */
  private static void reset(Socket socket) throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  private record Head(String firstLine, List<Map.Entry<String, String>> headers) {
    int status() {
      return Integer.parseInt(firstLine.split(" ", 3)[1]);
    }

    String header(String name) {
      return new Request("", "", headers).header(name);
    }
  }

  private static Head readHead(InputStream in) throws IOException {
    String first = readLine(in);
    if (first == null || first.isEmpty()) {
      return null;
    }
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
    }
    return new Head(first, headers);
  }

  private static void writeHead(OutputStream out, String firstLine, List<Map.Entry<String, String>> headers)
      throws IOException {
    StringBuilder head = new StringBuilder(firstLine).append("\r\n");
    for (Map.Entry<String, String> h : headers) {
      head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
    }
    out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
  }

  /**
   * Copies a message body framed by its headers. Without length or chunking a request has no body (true);
   * a response's body runs to the end of the connection (false: the caller copies it).
   */
  private static boolean copyBody(InputStream in, OutputStream out, List<Map.Entry<String, String>> headers,
      boolean request) throws IOException {
    Request h = new Request("", "", headers);
    String encoding = h.header("Transfer-Encoding");
    if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      while (true) {
        String sizeLine = readLine(in);
        out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        int semicolon = sizeLine.indexOf(';');
        long size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
        if (size == 0) {
          String trailer;
          do {
            trailer = readLine(in);
            out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          } while (!trailer.isEmpty());
          return true;
        }
        copyExactly(in, out, size + 2);
      }
    }
    String length = h.header("Content-Length");
    if (length != null) {
      copyExactly(in, out, Long.parseLong(length.trim()));
      return true;
    }
    return request;
  }

  private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
    byte[] buffer = new byte[65536];
    while (n > 0) {
      int r = in.read(buffer, 0, (int) Math.min(buffer.length, n));
      if (r < 0) {
        throw new IOException("stream ended " + n + " bytes early");
      }
      out.write(buffer, 0, r);
      n -= r;
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }
}
