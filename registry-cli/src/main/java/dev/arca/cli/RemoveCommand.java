package dev.arca.cli;

import dev.arca.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "rm", description = "Delete a version, or every version and tag of a name.")
final class RemoveCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "KEY", description = "[mount/]name[@version|#tag]")
  String key;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      store.delete(key);
      if (arca.json) {
        arca.printJson(java.util.Map.of("deleted", key));
      } else {
        arca.out().println("deleted " + key);
      }
      return Arca.OK;
    }
  }
}
