package dev.arca.registry.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Large test files written and hashed in 1 MiB steps, never whole in memory. */
public final class TestFiles {

  private TestFiles() {}

  /**
   * Writes {@code mebibytes} MiB of seeded random bytes.
   *
   * @param file where
   * @param mebibytes how many MiB
   * @param seed the random seed
   * @return the hex sha256 of what was written
   * @throws IOException on failure
   */
  public static String random(Path file, int mebibytes, long seed) throws IOException {
    MessageDigest sha = sha256();
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(seed);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mebibytes; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
        sha.update(chunk);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Makes every regular file below {@code root} look {@code by} older: for a store on a filesystem (the local
   * backend, S3Proxy's filesystem store), whose clock is the files' modification times, this is time passing.
   * Only for storage nothing writes to meanwhile.
   *
   * @param root a directory
   * @param by how much older
   * @throws IOException on failure
   */
  public static void age(Path root, java.time.Duration by) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          java.time.Instant modified = Files.getLastModifiedTime(f).toInstant();
          Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(modified.minus(by)));
        }
      }
    }
  }

  /**
   * The hex sha256 of a file.
   *
   * @param file the file
   * @return its sha256
   * @throws IOException on failure
   */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  /**
   * The hex sha256 of what a stream holds, read to its end (the caller closes it).
   *
   * @param in the stream
   * @return its sha256
   * @throws IOException on failure
   */
  public static String sha256(InputStream in) throws IOException {
    MessageDigest sha = sha256();
    byte[] chunk = new byte[1 << 20];
    int n;
    while ((n = in.read(chunk)) > 0) {
      sha.update(chunk, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
