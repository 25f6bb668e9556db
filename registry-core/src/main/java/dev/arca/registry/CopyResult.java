package dev.arca.registry;

/**
 * One version's outcome in a copy or sync between registries.
 *
 * @param manifest the version as the target holds it
 * @param copied true when its bytes were transferred; false when the target already held it with the same digest
 * @param bytes bytes transferred (0 when not copied)
 */
public record CopyResult(Manifest manifest, boolean copied, long bytes) {}
