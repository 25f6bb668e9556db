package dev.arca.registry.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A read that breaks or ends early reopens at the byte it stopped at, a bounded number of times. */
class ResumingInputStreamTest {

  private static final byte[] DATA = new byte[10_000];

  static {
    for (int i = 0; i < DATA.length; i++) {
      DATA[i] = (byte) (i * 31);
    }
  }

  /** The bytes from {@code from}, failing with a reset after {@code breakAfter} of them (-1: never). */
  private static InputStream source(int from, int breakAfter) {
    return new InputStream() {
      private int at = from;

      @Override
      public int read() throws IOException {
        if (breakAfter >= 0 && at - from >= breakAfter) {
          throw new IOException("Connection reset");
        }
        return at < DATA.length ? DATA[at++] & 0xff : -1;
      }
    };
  }

  @Test
  void resets_resumeAtTheByteTheyStoppedAt() throws IOException {
    List<Long> reopenedAt = new ArrayList<>();
    InputStream in = new ResumingInputStream(source(0, 3000), DATA.length, 4, position -> {
      reopenedAt.add(position);
      return source((int) position, reopenedAt.size() == 1 ? 2000 : -1);
    });

    assertThat(in.readAllBytes()).isEqualTo(DATA);
    assertThat(reopenedAt).containsExactly(3000L, 5000L);
  }

  @Test
  void anEarlyEnd_isResumedWhenTheLengthIsKnown() throws IOException {
    InputStream truncated = new ByteArrayInputStream(Arrays.copyOf(DATA, 4000));
    InputStream in = new ResumingInputStream(truncated, DATA.length, 1, position -> source((int) position, -1));

    assertThat(in.readAllBytes()).isEqualTo(DATA);
  }

  @Test
  void pastTheLimit_theFailureSurfaces_withTheReopenFailuresAttached() {
    InputStream in = new ResumingInputStream(source(0, 10), DATA.length, 2, position -> source((int) position, 10));

    assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessage("Connection reset");
  }

  @Test
  void aReopenThatFails_endsTheRead_withTheOriginalFailureSuppressed() {
    InputStream in = new ResumingInputStream(source(0, 10), DATA.length, 3, position -> {
      throw new IOException("the object was replaced while it was read");
    });

    assertThatThrownBy(in::readAllBytes).hasMessageContaining("replaced")
        .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
            .containsExactly("Connection reset"));
  }
}
