package uk.sharedcare.quickstart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.hl7.fhir.r4.model.Bundle;

/**
 * The demo borough: its six organisations, their practitioners, a few patients and the care around them
 * ({@code demo/demo-borough.json}). Each resource carries the custodian that wrote it. Loaded as the server's own
 * work, not through the API, and with fixed ids, so loading twice changes nothing.
 */
public final class DemoData {

    static final String RESOURCE = "/demo/demo-borough.json";

    private DemoData() {}

    public static Bundle bundle(FhirContext fhir) {
        try (InputStream in = DemoData.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Missing " + RESOURCE + " on the classpath");
            }
            return fhir.newJsonParser().parseResource(Bundle.class, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    public static int load(IFhirSystemDao<?, ?> systemDao) {
        Bundle demo = bundle(systemDao.getContext());
        ((IFhirSystemDao<Bundle, ?>) systemDao).transaction(new SystemRequestDetails(), demo);
        return demo.getEntry().size();
    }
}
