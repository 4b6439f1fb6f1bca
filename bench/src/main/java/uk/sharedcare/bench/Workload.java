package uk.sharedcare.bench;

import java.util.ArrayList;
import java.util.List;
import uk.sharedcare.population.GeneratedPatient;
import uk.sharedcare.population.Population;

/**
 * The measured operations, each about patients drawn from the whole loaded population (every loaded patient who
 * fits, not a hot few): hospital patients for the trust clinician (who has a relationship with them through the
 * trust's episode of care), social-care patients for care plans. Some of them have dissented, are children or are in an exempt cohort, so with the plugin on
 * some answers are 404 (hidden) or shorter, exactly as in the borough.
 */
final class Workload {

    private Workload() {}

    static List<Operation> operations(Population population, int loadedPatients) {
        List<String> hospital = new ArrayList<>();
        List<String> socialCare = new ArrayList<>();
        for (int i = 0; i < loadedPatients; i++) {
            GeneratedPatient patient = population.patient(i);
            if (patient.traits().hospital()) {
                hospital.add(patient.id());
            }
            if (patient.traits().socialCare()) {
                socialCare.add(patient.id());
            }
        }
        return List.of(
                new Operation("read Observation/[id]", "read", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.get(base + "/Observation/" + patient + "-obs-bp",
                                token)),
                new Operation("search Observation?patient=", "search", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.get(base + "/Observation?patient=Patient/" + patient,
                                token)),
                new Operation("search CarePlan?patient=", "search", Operation.Caller.TRUST_CLINICIAN, socialCare,
                        (http, base, token, patient, n) -> http.get(base + "/CarePlan?patient=Patient/" + patient,
                                token)),
                new Operation("Patient/[id]/$everything", "everything", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.get(base + "/Patient/" + patient + "/$everything",
                                token)),
                new Operation("council CarePlan pull (social worker)", "search", Operation.Caller.SOCIAL_WORKER,
                        socialCare, (http, base, token, patient, n) -> http.get(
                                base + "/CarePlan?status=active&patient=Patient/" + patient, token)),
                new Operation("write Observation", "write", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.post(base + "/Observation", token,
                                heartRate(patient, n))));
    }

    /**
     * The cheapest request that is still audited, for the audit append ceiling: the first practice's
     * Organization, which is about no patient.
     */
    static String cheapAuditedRead(Population population) {
        return "/Organization/" + population.borough().practices().get(0).organisationId();
    }

    private static String heartRate(String patient, long n) {
        return """
                {"resourceType":"Observation","status":"final",
                 "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}]},
                 "subject":{"reference":"Patient/%s"},"effectiveDateTime":"2026-11-20T10:00:00Z",
                 "valueQuantity":{"value":%d,"unit":"beats/minute","system":"http://unitsofmeasure.org","code":"/min"}}
                """.formatted(patient, 50 + n % 60);
    }
}
