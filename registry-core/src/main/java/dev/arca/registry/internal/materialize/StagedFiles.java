package dev.arca.registry.internal.materialize;

import dev.arca.registry.MaterializerException;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Files written below a directory the caller owns, all or nothing, never through a symbolic link.
 *
 * <p>Every file is first written, with {@code CREATE_NEW}, into a fresh staging directory inside the target
 * directory (so the final step is a rename on one filesystem); {@link #publish()} then checks every target path
 * component by component without following links (each must be missing, a real directory, or, for the file
 * itself, a regular file) and only then renames the staged files into place, replacing files of the same name
 * and leaving every other file as it was. A refusal or a failure before {@code publish} leaves the target
 * directory as it was; {@link #close()} removes the staging directory.
 *
 * <p>The target directory itself is taken as the caller named it (links in that path are the caller's choice)
 * and resolved once. What remains open is a race: a process that can write inside the target directory may swap
 * a checked directory for a link between the check and the rename (Java has no {@code renameat} relative to an
 * open directory). Do not load into directories that others can write.
 *
 * <p>Files and directories get the modes of a plain write (0666 and 0777 under the process umask), never the
 * 0600 of {@link Files#createTempFile}. Not thread-safe: one load at a time.
 */
public final class StagedFiles implements Closeable {

  private static final String STAGING_PREFIX = ".arca-load-";

  private final Path directory;
  private final Path staging;
  private final List<String> files = new ArrayList<>();

  /**
   * Creates the staging directory inside {@code directory}, which must exist.
   *
   * @param directory where the files go
   * @throws IOException when the staging directory cannot be created
   */
  public StagedFiles(Path directory) throws IOException {
    this.directory = directory.toRealPath();
    Path created = null;
    while (created == null) {
      try {
        created = Files.createDirectory(this.directory.resolve(STAGING_PREFIX
            + Long.toHexString(ThreadLocalRandom.current().nextLong())));
      } catch (FileAlreadyExistsException taken) {
        // another load's staging name: draw again
      }
    }
    this.staging = created;
  }

  /**
   * Checks that {@code relative} could be published (see {@link #publish()}) without writing anything: for a
   * refusal before any byte is transferred.
   *
   * @param relative a path of '/'-separated segments, none empty, {@code .} or {@code ..}
   * @throws MaterializerException when a link or a non-directory is in the way
   */
  public void check(String relative) throws IOException {
    Path p = directory;
    String[] segments = relative.split("/");
    for (int i = 0; i < segments.length; i++) {
      p = p.resolve(segments[i]);
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException missing) {
        return; // created on publish, by mkdir and rename, neither of which follows a link
      }
      boolean leaf = i == segments.length - 1;
      if (a.isSymbolicLink()) {
        throw new MaterializerException("refusing to write '" + relative + "': " + p + " is a symbolic link;"
            + " loads never write through links. Remove it or load into another directory", null);
      }
      if (leaf ? !a.isRegularFile() : !a.isDirectory()) {
        throw new MaterializerException("cannot write '" + relative + "': " + p + " is "
            + (a.isDirectory() ? "a directory" : "not a directory") + ". Remove it or load into another directory",
            null);
      }
    }
  }

  /**
   * Creates a new staged file, checked first.
   *
   * @param relative its path below the target directory, as for {@link #check}
   * @return the stream, which the caller closes
   * @throws IOException when it cannot be created
   */
  public OutputStream create(String relative) throws IOException {
    check(relative);
    Path file = createParents(staging, relative);
    OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    files.add(relative);
    return out;
  }

  /**
   * Checks every staged file's target again, then renames each into place, replacing a regular file of the same
   * name. Should a rename itself fail (a concurrent change in the target), the files renamed before it stay.
   *
   * @throws IOException when a rename fails
   * @throws MaterializerException when a link or a non-directory is in the way; nothing is then published
   */
  public void publish() throws IOException {
    for (String relative : files) {
      check(relative);
    }
    for (String relative : files) {
      Path target = createParents(directory, relative);
      Files.move(staging.resolve(relative), target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * Creates the missing parent directories of {@code relative} below {@code base}, one {@code mkdir} at a time
   * (which never follows a link), accepting only real directories where one exists.
   */
  private static Path createParents(Path base, String relative) throws IOException {
    String[] segments = relative.split("/");
    Path d = base;
    for (int i = 0; i < segments.length - 1; i++) {
      d = d.resolve(segments[i]);
      try {
        Files.createDirectory(d);
      } catch (FileAlreadyExistsException exists) {
        if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
          throw new MaterializerException("cannot write '" + relative + "': " + d + " is a link or a file (it"
              + " changed while the load ran, or the version lists a file inside a file)", null);
        }
      }
    }
    return d.resolve(segments[segments.length - 1]);
  }

  /** Removes the staging directory and whatever is still in it. */
  @Override
  public void close() throws IOException {
    try (Stream<Path> left = Files.walk(staging)) {
      for (Path p : left.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (NoSuchFileException gone) {
      // nothing left to remove
    }
  }
}
