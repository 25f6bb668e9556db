/**
 * The S3 backend ({@code s3:} scheme): {@link dev.arca.backend.s3.S3BlobStore} on AWS SDK v2, or on the MinIO
 * Java client as a second transport, for AWS S3 and S3-compatible stores.
 */
@NullMarked
package dev.arca.backend.s3;

import org.jspecify.annotations.NullMarked;
