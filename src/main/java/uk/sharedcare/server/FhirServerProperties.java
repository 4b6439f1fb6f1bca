package uk.sharedcare.server;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the host FHIR server (prefix {@code fhir-server}).
 *
 * @param basePath       servlet path the FHIR API is served under
 * @param resourceTypes  the only resource types the server stores and serves; everything else is unknown to it
 * @param defaultPageSize search page size when the client does not ask for one
 * @param maxPageSize    the largest {@code _count} honoured
 * @param hapiBulkExport HAPI's own Bulk Data {@code $export}, for the benchmark's plain-HAPI side only: it neither
 *                       de-identifies nor leaves anyone out, so it is refused with the plugin on
 */
@ConfigurationProperties("fhir-server")
public record FhirServerProperties(
        @DefaultValue("/fhir") String basePath,
        List<String> resourceTypes,
        @DefaultValue("20") int defaultPageSize,
        @DefaultValue("200") int maxPageSize,
        @DefaultValue("false") boolean hapiBulkExport) {

    public FhirServerProperties {
        resourceTypes = resourceTypes == null ? List.of() : List.copyOf(resourceTypes);
    }
}
