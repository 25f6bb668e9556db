package dev.arca.registry.spi;

import dev.arca.registry.TagEvent;
import dev.arca.registry.Version;
import java.util.List;

/**
 * A stored tag: the version it points to and every move it made, oldest first.
 *
 * @param version the current target
 * @param history every move, oldest first, the last one setting {@code version}
 */
public record TagRecord(Version version, List<TagEvent> history) {

  /**
   * Copies the history.
   *
   * @param version see the class description
   * @param history see the class description
   */
  public TagRecord {
    history = List.copyOf(history);
  }
}
