package uk.sharedcare.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import uk.sharedcare.support.FhirServerClient.RawResponse;

/**
 * Reads the audit trail as a data protection officer does, over the API: AuditEvent searches, every page followed
 * by its {@code next} link.
 */
public final class AuditTrailReader {

    public static final String DPO_SUBJECT = "dpo.trail-reader";

    private final FhirServerClient dpo;

    public AuditTrailReader(int port) {
        this.dpo = new FhirServerClient(port, TestIdentityProvider.token().subject(DPO_SUBJECT).roles("dpo")
                .organisation("QZ9").purposes("TREAT", "HOPERAT").sign());
    }

    /** Every event matching the query (for example {@code entity=Observation/1}), in the order written. */
    public List<AuditEvent> events(String query) {
        List<AuditEvent> events = new ArrayList<>();
        String next = "/AuditEvent?_count=500" + (query.isEmpty() ? "" : "&" + query);
        while (next != null) {
            RawResponse response = dpo.get(next);
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            Bundle page = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
            page.getEntry().forEach(entry -> events.add((AuditEvent) entry.getResource()));
            Bundle.BundleLinkComponent link = page.getLink(Bundle.LINK_NEXT);
            next = link == null ? null : link.getUrl().substring(link.getUrl().indexOf("/AuditEvent?"));
        }
        return events;
    }

    public FhirServerClient dpo() {
        return dpo;
    }
}
