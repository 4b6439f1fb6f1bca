package uk.sharedcare.record.http;

import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.Collection;
import java.util.List;
import org.springframework.boot.web.servlet.ServletRegistrationBean;

/**
 * The URL patterns the host serves its FHIR {@link RestfulServer} under, read from the host's own servlet
 * registration so the plugin's servlet filters cover exactly the FHIR API, whatever path the host chose.
 *
 * @param urlPatterns for example {@code /fhir/*}
 */
public record FhirServletMapping(List<String> urlPatterns) {

    public FhirServletMapping {
        if (urlPatterns.isEmpty()) {
            throw new IllegalArgumentException("The FHIR servlet has no URL mapping");
        }
        urlPatterns = List.copyOf(urlPatterns);
    }

    /** The path the FHIR API lives under, such as {@code /fhir}. */
    public String basePath() {
        String pattern = urlPatterns.get(0);
        return pattern.endsWith("/*") ? pattern.substring(0, pattern.length() - 2) : pattern;
    }

    public static FhirServletMapping of(RestfulServer server, List<ServletRegistrationBean<?>> registrations) {
        return registrations.stream()
                .filter(registration -> registration.getServlet() == server)
                .map(ServletRegistrationBean::getUrlMappings)
                .map(FhirServletMapping::fromMappings)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("The shared-care plugin needs the host to register its"
                        + " FHIR RestfulServer with a Spring ServletRegistrationBean"));
    }

    private static FhirServletMapping fromMappings(Collection<String> mappings) {
        return new FhirServletMapping(List.copyOf(mappings));
    }
}
