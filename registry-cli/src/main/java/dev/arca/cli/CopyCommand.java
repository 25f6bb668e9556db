package dev.arca.cli;

import dev.arca.registry.CopyResult;
import dev.arca.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "copy", description = "Copy a version to another mount (or name), bytes streamed, version and"
    + " digest kept; a copy already there is left alone.")
final class CopyCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "SRC", description = "[mount/]name[@version|#tag]")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "mount, or mount/newname")
  String destination;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      CopyResult r = store.copy(source, destination);
      if (arca.json) {
        arca.printJson(r);
      } else {
        arca.out().println((r.copied() ? "copied " : "already there: ") + source + " -> " + destination + " as "
            + r.manifest().name() + "@" + r.manifest().version() + (r.copied() ? " (" + Human.bytes(r.bytes()) + ")" : ""));
      }
      return Arca.OK;
    }
  }
}
