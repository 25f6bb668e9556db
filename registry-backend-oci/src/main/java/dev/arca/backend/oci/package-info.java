/**
 * The {@code oci:} scheme: Arca versions as OCI artifacts in a registry, on oras-java.
 *
 * <p>One repository per registry. Version {@code V} of a name is a manifest tagged {@code {form}_v{V}} (files are
 * layers, the Arca manifest its config); a deleted version keeps a tombstone under that tag (so its number is never
 * reused) and a listing hint {@code {form}_x{V}}; a name's tags are one document in {@code {form}_t}, the
 * settings in {@code _arca.settings}, the janitor's first sightings of replaced manifests in
 * {@code _arca.janitor}. A manifest names the one it replaced in {@code dev.arca.superseded}; the janitor follows
 * those links and ages what it finds by the registry's clock (its {@code Date} header). Listings page through
 * tags and ignore tags Arca did not write. The protocol is specified in the project's {@code docs/PROTOCOL.md},
 * section "OCI".
 */
@NullMarked
package dev.arca.backend.oci;

import org.jspecify.annotations.NullMarked;
