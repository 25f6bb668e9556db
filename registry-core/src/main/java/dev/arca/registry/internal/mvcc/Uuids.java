package dev.arca.registry.internal.mvcc;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Time-ordered (version 7) uuids for write attempts: the janitor reads a folder's start time from its name,
 * so an attempt whose files carry old timestamps (a long multipart upload) still counts as young.
 */
final class Uuids {

  private Uuids() {}

  static String newUuid(Clock clock) {
    UUID random = UUID.randomUUID();
    long millis = clock.millis();
    long msb = (millis << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0fffL);
    return new UUID(msb, random.getLeastSignificantBits()).toString();
  }

  static Optional<Instant> startOf(String uuid) {
    try {
      UUID u = UUID.fromString(uuid);
      if (u.version() != 7 || !u.toString().equals(uuid)) {
        return Optional.empty();
      }
      return Optional.of(Instant.ofEpochMilli(u.getMostSignificantBits() >>> 16));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
