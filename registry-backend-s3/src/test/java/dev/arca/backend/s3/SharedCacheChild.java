package dev.arca.backend.s3;

import dev.arca.registry.Registry;
import dev.arca.registry.testkit.S3ProxyServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Loads one object through a cache directory shared with another process, on GO. Prints its sha256. */
public final class SharedCacheChild {

  public static void main(String[] args) throws Exception {
    S3BlobStore store = S3BlobStore.builder().endpoint(URI.create(args[0])).bucket(args[1]).pathStyle(true)
        .credentials(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).build();
    try (Registry registry = Registry.builder().blobStore(store).cache(Path.of(args[2]), 1L << 30).build()) {
      System.out.println("READY");
      System.out.flush();
      if (!"GO".equals(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine())) {
        throw new IllegalStateException("expected GO");
      }
      byte[] data = registry.get("big@1.0.0", byte[].class);
      System.out.println(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));
    }
  }
}
