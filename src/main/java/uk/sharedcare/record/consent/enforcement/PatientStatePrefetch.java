package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Hands the consent service each batch of resources HAPI is about to decide on (hook
 * {@code STORAGE_PREACCESS_RESOURCES}, just before HAPI's consent interceptor), so that the stamps of all the
 * patients in it are checked in one query rather than one query per patient.
 */
@Interceptor(order = InterceptorOrder.PATIENT_STATES)
final class PatientStatePrefetch {

    private final SharedCareConsentService consent;

    PatientStatePrefetch(SharedCareConsentService consent) {
        this.consent = consent;
    }

    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void prefetch(RequestDetails request, IPreResourceAccessDetails details) {
        if (AccessContexts.of(request).isEmpty()) {
            return; // refused by the consent service; nothing to load
        }
        List<IBaseResource> resources = new ArrayList<>(details.size());
        for (int i = 0; i < details.size(); i++) {
            resources.add(details.getResource(i));
        }
        consent.prepare(request, resources);
    }
}
