package dev.arca.cli;

import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.Locale;

/**
 * A one-line progress bar on stderr, redrawn at most ten times a second, erased when done so the terminal is
 * left clean. Off (a no-op) when stderr is not a terminal or progress was turned off. Not thread-safe.
 */
final class Progress implements AutoCloseable {

  private static final long REDRAW_NANOS = 100_000_000L;
  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;
  private final long total;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private long lastDraw;
  private boolean drawn;

  Progress(PrintStream err, String label, long total, boolean enabled) {
    this.err = err;
    this.label = label;
    this.total = total;
    this.enabled = enabled;
  }

  /**
   * Whether stderr is a terminal: told by the launcher script ({@code -Darca.stderr.tty}); without it, whether the
   * JVM has an interactive console.
   */
  static boolean stderrIsTerminal() {
    String told = System.getProperty("arca.stderr.tty");
    if (told != null) {
      return Boolean.parseBoolean(told);
    }
    Object console = System.console();
    if (console == null) {
      return false;
    }
    try {
      Method isTerminal = console.getClass().getMethod("isTerminal"); // JDK 22+: a console may not be a terminal
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException olderJdk) {
      return true;
    }
  }

  /** Reports the bytes done so far. */
  void update(long done) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (drawn && now - lastDraw < REDRAW_NANOS && done != total) {
      return;
    }
    lastDraw = now;
    drawn = true;
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    double rate = done / seconds;
    StringBuilder line = new StringBuilder("\r\033[K").append(label).append(' ');
    if (total > 0) {
      int filled = (int) Math.min(WIDTH, WIDTH * done / total);
      line.append('[').append("=".repeat(filled)).append(filled < WIDTH ? ">" : "")
          .append(" ".repeat(Math.max(0, WIDTH - filled - 1))).append("] ")
          .append(String.format(Locale.ROOT, "%3d%% ", 100 * done / total))
          .append(Human.bytes(done)).append(" / ").append(Human.bytes(total));
      if (rate > 0 && done < total) {
        line.append("  ETA ").append(Human.seconds((total - done) / rate));
      }
    } else {
      line.append(Human.bytes(done));
    }
    line.append("  ").append(Human.bytes((long) rate)).append("/s");
    err.print(line);
    err.flush();
  }

  /** Erases the bar. */
  @Override
  public void close() {
    if (drawn) {
      err.print("\r\033[K");
      err.flush();
    }
  }
}
