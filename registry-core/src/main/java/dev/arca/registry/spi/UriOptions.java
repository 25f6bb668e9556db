package dev.arca.registry.spi;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The query options of a backend URI ({@code s3://bucket/prefix?region=eu-west-1}), read the same way by every provider. */
public final class UriOptions {

  private UriOptions() {}

  /**
   * Refuses a URI that carries credentials: URIs end up in logs and config files.
   *
   * @param uri the URI
   * @param instead where the credentials belong, for the message
   * @throws IllegalArgumentException when it has user info
   */
  public static void refuseCredentials(URI uri, String instead) {
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(uri.getScheme() + " URI carries credentials: never put them in a URI (it ends"
          + " up in logs and config files); " + instead);
    }
  }

  /**
   * The query options in order, values percent-decoded; an option without {@code =} has the empty value.
   *
   * @param uri the URI
   * @return option names to values
   */
  public static Map<String, String> of(URI uri) {
    Map<String, String> options = new LinkedHashMap<>();
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String option : query.split("&")) {
        String[] kv = option.split("=", 2);
        options.put(kv[0], kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return options;
  }

  /**
   * Reads a boolean option.
   *
   * @param key the option, for the message
   * @param value {@code true} or {@code false}, any case
   * @return the value
   * @throws IllegalArgumentException for anything else
   */
  public static boolean bool(String key, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
    };
  }

  /**
   * Reads a duration option.
   *
   * @param value whole seconds ({@code 30}) or ISO-8601 ({@code PT2M})
   * @return the duration
   */
  public static Duration duration(String value) {
    return value.matches("[0-9]+") ? Duration.ofSeconds(Long.parseLong(value)) : Duration.parse(value);
  }
}
