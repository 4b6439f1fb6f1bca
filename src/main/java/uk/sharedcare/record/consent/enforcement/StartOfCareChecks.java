package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.HashSet;
import java.util.Set;

/**
 * The patients whose start of care this request has checked by NHS number and date of birth
 * ({@code Patient/$start-care}), so that the episode of care the operation then records passes rule 1's write check
 * ({@link WriteAuthorisation}). Kept in the request's own data: it lasts for this request and no other.
 */
public final class StartOfCareChecks {

    private static final String KEY = StartOfCareChecks.class.getName();

    private StartOfCareChecks() {}

    /** The patient's NHS number and date of birth matched for this request's caller. */
    public static void checked(RequestDetails request, String patientId) {
        patients(request).add(patientId);
    }

    static boolean wasChecked(RequestDetails request, String patientId) {
        return patients(request).contains(patientId);
    }

    @SuppressWarnings("unchecked")
    private static Set<String> patients(RequestDetails request) {
        return (Set<String>) request.getUserData().computeIfAbsent(KEY, key -> new HashSet<String>());
    }
}
