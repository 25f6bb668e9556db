package dev.arca.backend.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-only front for docker-registry (distribution 2.8, which answers every tag in one page) that pages tag
 * listings as distribution 3, GHCR or Docker Hub do: at most {@code maxPage} tags per answer whatever {@code n}
 * asks, sorted, after {@code last}, with a {@code Link: <...?last=&n=>; rel="next"} header while more remain. Every
 * other GET and HEAD goes upstream unchanged; writes are refused (405), so a reader through it writes nothing.
 */
final class PagingRegistry implements AutoCloseable {

  private static final Pattern TAGS = Pattern.compile("/v2/(.+)/tags/list");
  private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
      "upgrade", "transfer-encoding");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final HttpClient upstream = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private final URI target;
  private final int maxPage;
  private final List<String> tagQueries = new java.util.concurrent.CopyOnWriteArrayList<>();

  PagingRegistry(String upstreamHost, int maxPage) throws IOException {
    this.target = URI.create("http://" + upstreamHost);
    this.maxPage = maxPage;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** The query strings of the tag listings asked so far. */
  List<String> tagQueries() {
    return tagQueries;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      Matcher tags = TAGS.matcher(exchange.getRequestURI().getPath());
      HttpResponse<byte[]> answer = forward(exchange, exchange.getRequestURI().getRawPath()
          + (tags.matches() || exchange.getRequestURI().getRawQuery() == null ? ""
              : "?" + exchange.getRequestURI().getRawQuery()));
      byte[] body = answer.body();
      if (tags.matches() && answer.statusCode() == 200) {
        body = page(exchange, tags.group(1), body);
      }
      answer.headers().map().forEach((name, values) -> {
        if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
          exchange.getResponseHeaders().put(name, values);
        }
      });
      boolean head = method.equals("HEAD");
      exchange.sendResponseHeaders(answer.statusCode(), head || body.length == 0 ? -1 : body.length);
      if (!head) {
        exchange.getResponseBody().write(body);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, String pathAndQuery)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(pathAndQuery))
        .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.noBody());
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    return upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** One page of the full listing {@code all}, with a Link header to the next one when there is more. */
  private byte[] page(HttpExchange exchange, String repository, byte[] all) throws IOException {
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    tagQueries.add(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
    int n = Math.min(maxPage, query.containsKey("n") ? Integer.parseInt(query.get("n")) : maxPage);
    String last = query.get("last");
    List<String> sorted = new ArrayList<>();
    JsonNode listed = JSON.readTree(all).get("tags");
    if (listed != null) {
      listed.forEach(t -> sorted.add(t.asText()));
    }
    sorted.sort(null);
    List<String> after = sorted.stream().filter(t -> last == null || t.compareTo(last) > 0).toList();
    List<String> page = after.subList(0, Math.min(n, after.size()));
    if (page.size() < after.size()) {
      exchange.getResponseHeaders().set("Link", "</v2/" + repository + "/tags/list?last="
          + page.get(page.size() - 1) + "&n=" + n + ">; rel=\"next\"");
    }
    return JSON.writeValueAsBytes(Map.of("name", repository, "tags", page));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return query;
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
