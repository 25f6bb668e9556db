package dev.arca.cli;

import dev.arca.registry.FileEntry;
import dev.arca.registry.Manifest;
import dev.arca.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
      boolean tree = "dir".equals(manifest.params().get("kind"));
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
      Path written;
      if (tree) {
        written = store.loadInto(key, Path.of(output != null ? output : manifest.name()));
      } else {
        written = writeFile(store, manifest);
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

  /** Streams the one file of a version to its target, verified, published by rename only when complete. */
  private Path writeFile(Store store, Manifest manifest) throws IOException {
    if (manifest.files().size() != 1) {
      return store.loadInto(key, Path.of(output != null ? output : manifest.name()));
    }
    FileEntry file = manifest.files().get(0);
    String fileName = manifest.params().getOrDefault("fileName", manifest.name());
    Path target = output != null ? Path.of(output) : Path.of(fileName);
    if (Files.isDirectory(target)) {
      target = target.resolve(fileName);
    }
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path temp = Files.createTempFile(parent, ".arca-", ".part");
    try (Progress progress = arca.progress("get " + key, file.size());
        InputStream in = store.openFile(key, file.path());
        OutputStream out = Files.newOutputStream(temp)) {
      byte[] buffer = new byte[1 << 16];
      long done = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        done += n;
        progress.update(done);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }
}
