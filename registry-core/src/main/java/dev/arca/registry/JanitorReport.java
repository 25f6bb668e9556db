package dev.arca.registry;

import java.util.List;

/**
 * What a janitor run found and, unless it was a dry run, removed.
 *
 * @param applied false for a dry run, which removes nothing
 * @param orphans the uuid folders no manifest references that are older than the grace period, as
 *     {@code name/uuid}
 * @param files how many files those folders hold
 * @param bytes how many bytes those folders hold
 * @param kept unreferenced folders younger than the grace period, left for in-flight writers
 */
public record JanitorReport(boolean applied, List<String> orphans, long files, long bytes, int kept) {

  /**
   * Copies the list.
   *
   * @param applied see the class description
   * @param orphans see the class description
   * @param files see the class description
   * @param bytes see the class description
   * @param kept see the class description
   */
  public JanitorReport {
    orphans = List.copyOf(orphans);
  }
}
