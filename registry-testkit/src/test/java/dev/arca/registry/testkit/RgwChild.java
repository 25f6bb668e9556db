package dev.arca.registry.testkit;

/**
 * Starts a gateway and prints its daemons' pids; then, by its argument, returns without closing it once a line
 * arrives on standard input ({@code exit}, so only the shutdown hook stops it) or waits to be killed ({@code wait}).
 */
public final class RgwChild {

  public static void main(String[] args) throws Exception {
    RgwServer rgw = RgwServer.start();
    StringBuilder pids = new StringBuilder("PIDS");
    rgw.processes().forEach(p -> pids.append(' ').append(p.pid()));
    System.out.println(pids);
    System.out.flush();
    if (args[0].equals("wait")) {
      Thread.sleep(Long.MAX_VALUE); // until SIGKILL
    }
    System.in.read();
  }
}
