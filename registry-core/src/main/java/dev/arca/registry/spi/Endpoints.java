package dev.arca.registry.spi;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Checks and messages remote backends share, so each refuses the same unsafe endpoints in the same words. */
public final class Endpoints {

  private Endpoints() {}

  /**
   * Refuses a plain-HTTP endpoint on a host other than this machine unless the user allowed it explicitly:
   * credentials and data would cross the network unencrypted.
   *
   * @param what what the endpoint serves, for the message (e.g. {@code S3 endpoint})
   * @param endpoint an {@code http} or {@code https} URL
   * @param allowHttp whether the user allowed plain HTTP
   * @throws IllegalArgumentException when the endpoint is refused
   */
  public static void requireSecure(String what, URI endpoint, boolean allowHttp) {
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return;
    }
    if (!scheme.equals("http")) {
      throw new IllegalArgumentException(what + " '" + endpoint + "' must be an http:// or https:// URL");
    }
    if (!allowHttp && !isLoopback(endpoint.getHost())) {
      throw new IllegalArgumentException(what + " '" + endpoint + "' is plain HTTP to a host other than this"
          + " machine: credentials and data would cross the network unencrypted. Use https://, or allow it"
          + " explicitly with allowHttp=true");
    }
  }

  /**
   * Whether a host is this machine: {@code localhost} or a loopback address literal. Other names are never
   * resolved, so DNS cannot make a remote host look local.
   *
   * @param host a host name or address literal
   * @return true for the loopback interface
   */
  public static boolean isLoopback(@Nullable String host) {
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) {
      return false;
    }
    try {
      return InetAddress.getByName(host.replaceAll("[\\[\\]]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The first line of the innermost cause's message: what a network or server failure says, without the
   * wrapping layers of a client library.
   *
   * @param e the failure
   * @return its root message, or the root's class name when it has none
   */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    int newline = message.indexOf('\n');
    return newline >= 0 ? message.substring(0, newline) : message;
  }
}
