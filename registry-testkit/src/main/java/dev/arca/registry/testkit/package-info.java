/**
 * Conformance suites ({@link dev.arca.registry.testkit.BlobStoreContract},
 * {@link dev.arca.registry.testkit.RegistryContract}) that every backend runs unchanged, the in-memory
 * {@link dev.arca.registry.testkit.InMemoryBlobStore}, and helpers for tests that race threads and processes.
 */
@NullMarked
package dev.arca.registry.testkit;

import org.jspecify.annotations.NullMarked;
