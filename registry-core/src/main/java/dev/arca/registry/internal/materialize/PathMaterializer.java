package dev.arca.registry.internal.materialize;

import dev.arca.registry.FileEntry;
import dev.arca.registry.MaterializerException;
import dev.arca.registry.Names;
import dev.arca.registry.internal.io.LargeCopy;
import dev.arca.registry.spi.ArtifactReader;
import dev.arca.registry.spi.ArtifactWriter;
import dev.arca.registry.spi.Materializer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A file, or a whole directory tree stored file by file (each streamed from disk, no archive, no temp copy).
 *
 * <p>Symbolic links and special files are refused on save. A load is all or nothing and never writes through a
 * link ({@link StagedFiles}): every file is streamed and verified into a staging directory inside the
 * destination, then, once all are whole, renamed into place, each target path checked component by component
 * without following links. Files already in the destination with the same names are replaced; others are left
 * alone. A refused or failed load leaves no new file there.
 *
 * <p>Modes: only names and bytes are stored, no permission bits (not even the executable bit), owners or times.
 * Loaded files get the modes of a plain write by the loading process (0666 under its umask, e.g. 0644), and
 * directories 0777 under its umask.
 */
final class PathMaterializer implements Materializer<Path> {

  static final String ID = "arca.path";
  private static final String KIND = "kind";
  private static final String FILE_NAME = "fileName";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public boolean supports(Class<?> type) {
    return Path.class.isAssignableFrom(type);
  }

  @Override
  public String objectClass(Path value) {
    return Path.class.getName();
  }

  @Override
  public void write(Path value, ArtifactWriter out) throws IOException {
    if (Files.isSymbolicLink(value)) {
      throw new MaterializerException("refusing to save symbolic link " + value + ": save its target instead", null);
    }
    if (Files.isRegularFile(value, LinkOption.NOFOLLOW_LINKS)) {
      String fileName = value.getFileName().toString();
      out.param(KIND, "file");
      out.param(FILE_NAME, fileName);
      out.file(Names.requirePath(fileName), value);
      return;
    }
    if (!Files.isDirectory(value, LinkOption.NOFOLLOW_LINKS)) {
      throw new MaterializerException("cannot save " + value + ": not a regular file or directory", null);
    }
    out.param(KIND, "dir");
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(value, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        if (attrs.isSymbolicLink() || attrs.isOther()) {
          throw new MaterializerException("refusing to save " + file + ": symbolic links and special files are"
              + " not stored", null);
        }
        files.add(file);
        return FileVisitResult.CONTINUE;
      }
    });
    files.sort(null);
    for (Path file : files) {
      StringBuilder relative = new StringBuilder();
      for (Path part : value.relativize(file)) {
        relative.append(relative.length() == 0 ? "" : "/").append(part);
      }
      out.file(Names.requirePath(relative.toString()), file);
    }
  }

  @Override
  public <S extends Path> S read(ArtifactReader in, Class<S> type) throws IOException {
    Path destination = in.destination().toAbsolutePath().normalize();
    try (StagedFiles staged = new StagedFiles(destination)) {
      for (FileEntry entry : in.files()) {
        staged.check(Names.requirePath(entry.path())); // refuse before transferring anything
      }
      for (FileEntry entry : in.files()) {
        try (InputStream source = in.open(entry.path()); OutputStream out = staged.create(entry.path())) {
          LargeCopy.copy(source, out);
        }
      }
      staged.publish();
    }
    if ("file".equals(in.params().get(KIND)) && in.files().size() == 1) {
      return type.cast(destination.resolve(in.files().get(0).path()));
    }
    return type.cast(destination);
  }
}
