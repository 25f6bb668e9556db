package dev.arca.registry.spi;

import java.time.Instant;

/**
 * What a {@link BlobStore} knows of one stored object.
 *
 * @param key the object's key
 * @param size its length in bytes
 * @param etag an opaque token that changes whenever the object is replaced, used by {@link Condition#ifMatch}
 * @param lastModified when it was last written
 */
public record BlobInfo(String key, long size, String etag, Instant lastModified) {}
