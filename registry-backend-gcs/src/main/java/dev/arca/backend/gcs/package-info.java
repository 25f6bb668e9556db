/** The {@code gs:} scheme: a {@link dev.arca.registry.spi.BlobStore} on Google Cloud Storage. */
@NullMarked
package dev.arca.backend.gcs;

import org.jspecify.annotations.NullMarked;
