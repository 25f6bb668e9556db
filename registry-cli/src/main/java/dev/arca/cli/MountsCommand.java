package dev.arca.cli;

import dev.arca.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "mounts", description = "List the store's mounts.")
final class MountsCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      if (arca.json) {
        arca.printJson(store.mounts());
      } else {
        for (Store.MountInfo m : store.mounts()) {
          arca.out().println(m.name() + "  " + (m.readOnly() ? "read-only" : "read-write") + (m.isDefault()
              ? "  default" : "") + "  " + m.scheme());
        }
      }
      return Arca.OK;
    }
  }
}
