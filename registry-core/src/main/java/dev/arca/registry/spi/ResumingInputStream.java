package dev.arca.registry.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A remote read that survives a broken connection: when a read fails, or the stream ends before {@code length}
 * bytes, it reopens at the byte it stopped at and carries on, a bounded number of times. Remote stores wrap the
 * streams they hand out in one, so a reset or a truncated body costs a reopen, not the operation. The reopener
 * must return the same object (a store pins the generation or checks the etag) or fail.
 */
public final class ResumingInputStream extends InputStream {

  /** Opens the object again at an offset from where this stream started. */
  @FunctionalInterface
  public interface Reopener {
    /**
     * Opens the rest of the read.
     *
     * @param position bytes already read, from the start of this stream
     * @return a stream of the bytes from there
     * @throws IOException when it cannot, or the object changed since the first open
     */
    InputStream open(long position) throws IOException;
  }

  private final long length;
  private final int maxResumes;
  private final Reopener reopener;
  private InputStream current;
  private long position;
  private int resumes;

  /**
   * Wraps a stream already open.
   *
   * @param first the open stream
   * @param length the bytes it should deliver, or -1 when unknown (then only failures, not early ends, resume)
   * @param maxResumes how many reopens one read may cost in total
   * @param reopener opens the object again
   */
  public ResumingInputStream(InputStream first, long length, int maxResumes, Reopener reopener) {
    this.current = first;
    this.length = length;
    this.maxResumes = maxResumes;
    this.reopener = reopener;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      IOException failure;
      try {
        int n = current.read(b, off, len);
        if (n > 0) {
          position += n;
          return n;
        }
        if (n < 0 && (length < 0 || position >= length)) {
          return -1;
        }
        failure = new IOException("the stream ended after " + position + " of " + length + " bytes");
      } catch (InterruptedIOException e) {
        throw e;
      } catch (IOException e) {
        failure = e;
      }
      resume(failure);
    }
  }

  private void resume(IOException failure) throws IOException {
    if (resumes >= maxResumes) {
      throw failure;
    }
    resumes++;
    try {
      current.close();
    } catch (IOException ignored) {
      // the broken stream's own close may fail too
    }
    try {
      current = reopener.open(position);
    } catch (IOException e) {
      e.addSuppressed(failure);
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    current.close();
  }
}
