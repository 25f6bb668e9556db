package dev.arca.cli;

import dev.arca.registry.Manifest;
import dev.arca.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "get", description = "Load a version into a file or directory, or to stdout with -o -.")
final class GetCommand implements Callable<Integer> {

  @ParentCommand Arca arca;

  @Parameters(index = "0", paramLabel = "KEY", description = "[mount/]name[@version|#tag]")
  String key;

  @Option(names = {"-o", "--output"}, paramLabel = "PATH",
      description = "where to write: a file, a directory, or - for stdout (default: the saved file name here)")
  String output;

  @Override
  public Integer call() throws IOException {
    try (Store store = arca.openStore()) {
      Manifest manifest = store.info(key);
      if ("-".equals(output)) {
        if (manifest.files().size() != 1) {
          throw new IllegalArgumentException(key + " holds " + manifest.files().size() + " files: give -o DIRECTORY");
        }
        try (InputStream in = store.openFile(key, manifest.files().get(0).path())) {
          OutputStream out = arca.out();
          in.transferTo(out);
          out.flush();
        }
        return Arca.OK;
      }
      // Every write goes through the library's load, which checks the manifest's names and the target's links.
      Path written;
      try (Progress progress = arca.progress("get " + key, manifest.size())) {
        if (manifest.isTree() || manifest.files().size() != 1) {
          written = store.loadInto(key, Path.of(output != null ? output : manifest.name()), progress::update);
        } else {
          written = store.loadFile(key, Path.of(output != null ? output : "."), progress::update);
        }
      }
      if (arca.json) {
        arca.printJson(java.util.Map.of("key", manifest.name() + "@" + manifest.version(), "path", written.toString(),
            "bytes", manifest.size()));
      } else {
        arca.out().println("wrote " + written + " (" + Human.bytes(manifest.size()) + ")");
      }
      return Arca.OK;
    }
  }
}
