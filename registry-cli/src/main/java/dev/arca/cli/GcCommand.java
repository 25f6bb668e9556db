package dev.arca.cli;

import dev.arca.registry.JanitorReport;
import dev.arca.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "gc", description = "Find files of crashed or superseded writes past the grace period; remove them"
    + " only with --apply.")
final class GcCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Option(names = "--apply", description = "remove what is found (default: report only)")
  boolean apply;

  @Option(names = "--mount", paramLabel = "MOUNT", description = "only this mount (default: every writable mount)")
  String mount;

  @Override
  public Integer call() {
    try (Store store = arca.openStore()) {
      Map<String, JanitorReport> reports = new LinkedHashMap<>();
      for (Store.MountInfo m : store.mounts()) {
        if ((mount == null && !m.readOnly() && !m.name().equals(Store.TEMP)) || m.name().equals(mount)) {
          reports.put(m.name(), store.registry(m.name()).janitor(apply && !m.readOnly()));
        }
      }
      if (mount != null && reports.isEmpty()) {
        store.registry(mount); // throws StoreLocationNotFound
      }
      if (arca.json) {
        arca.printJson(reports);
      } else {
        reports.forEach((name, r) -> arca.out().println(name + ": " + (r.applied() ? "removed " : "would remove ")
            + r.orphans().size() + " orphaned write(s), " + r.files() + " file(s), " + Human.bytes(r.bytes())
            + "; kept " + r.kept() + " in-flight" + (r.applied() ? "" : " (dry run: add --apply)")));
      }
      return Arca.OK;
    }
  }
}
