/** The {@code oci:} scheme: Arca versions as OCI artifacts in a registry, on oras-java. */
@NullMarked
package dev.arca.backend.oci;

import org.jspecify.annotations.NullMarked;
