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

/**
 * An HTTP/1.1 forwarding proxy on 127.0.0.1 for tests: it records every request (so a test can count a
 * client's requests on the wire) and can rewrite request heads (to play a server that ignores a header).
 * Bodies are streamed through untouched, by Content-Length or chunked framing. Thread-safe.
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

  private final ServerSocket server;
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
          writeHead(clientOut, response.firstLine, response.headers);
        } while (response.status() >= 100 && response.status() < 200);
        boolean bodiless = sent.method.equals("HEAD") || response.status() == 204 || response.status() == 304;
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
    }
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
