/**
 * The local filesystem backend ({@code file:} scheme): {@link dev.arca.backend.local.LocalBlobStore}.
 */
@NullMarked
package dev.arca.backend.local;

import org.jspecify.annotations.NullMarked;
