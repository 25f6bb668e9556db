package dev.arca.registry.spi;

/**
 * A value read from storage together with the etag to compare-and-swap it against.
 *
 * @param value the value
 * @param etag the etag of the stored bytes it was read from
 * @param <T> the value type
 */
public record Stamped<T>(T value, String etag) {}
