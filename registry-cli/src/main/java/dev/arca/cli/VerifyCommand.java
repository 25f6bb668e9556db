package dev.arca.cli;

import dev.arca.registry.FileEntry;
import dev.arca.registry.IntegrityException;
import dev.arca.registry.Manifest;
import dev.arca.registry.Version;
import dev.arca.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "verify", description = "Re-hash every file of a version (or of everything) against its manifest;"
    + " exit 1 if any is corrupt.")
final class VerifyCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "a version; default: every version")
  String key;

  @Override
  public Integer call() throws IOException {
    try (Store store = arca.openStore()) {
      List<String> keys = new ArrayList<>();
      if (key != null) {
        keys.add(key);
      } else {
        for (String name : store.names()) {
          for (Version v : store.versions(name)) {
            keys.add(name + "@" + v);
          }
        }
      }
      List<Map<String, Object>> results = new ArrayList<>();
      int corrupt = 0;
      for (String k : keys) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", k);
        try {
          Manifest m = store.info(k);
          for (FileEntry f : m.files()) {
            try (InputStream in = store.openFile(k, f.path())) {
              in.transferTo(OutputStream.nullOutputStream());
            }
          }
          row.put("ok", true);
          row.put("files", m.files().size());
        } catch (IntegrityException e) {
          corrupt++;
          row.put("ok", false);
          row.put("error", e.getMessage());
        }
        results.add(row);
      }
      if (arca.json) {
        arca.printJson(results);
      } else {
        for (Map<String, Object> r : results) {
          arca.out().println(Boolean.TRUE.equals(r.get("ok")) ? "ok       " + r.get("key") + " (" + r.get("files")
              + " files)" : "CORRUPT  " + r.get("key") + ": " + r.get("error"));
        }
      }
      return corrupt == 0 ? Arca.OK : Arca.ERROR;
    }
  }
}
