package uk.sharedcare.bench;

import java.util.ArrayList;
import java.util.List;
import uk.sharedcare.population.GeneratedPatient;
import uk.sharedcare.population.Population;

/**
 * The measured operations, each about patients drawn from the loaded population: hospital patients for the
 * trust clinician (who has a relationship with them through the trust's episode of care), social-care patients
 * for care plans. Some of them have dissented, are children or are in an exempt cohort, so with the plugin on
 * some answers are 404 (hidden) or shorter, exactly as in the borough.
 */
final class Workload {

    private static final int MAX_TARGETS = 2_000;

    private Workload() {}

    static List<Operation> operations(Population population, int loadedPatients) {
        List<String> hospital = new ArrayList<>();
        List<String> socialCare = new ArrayList<>();
        int step = Math.max(1, loadedPatients / (MAX_TARGETS * 4));
        for (int i = 0; i < loadedPatients; i += step) {
            GeneratedPatient patient = population.patient(i);
            if (patient.traits().hospital() && hospital.size() < MAX_TARGETS) {
                hospital.add(patient.id());
            }
            if (patient.traits().socialCare() && socialCare.size() < MAX_TARGETS) {
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
                new Operation("Patient/[id]/$everything", "search", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.get(base + "/Patient/" + patient + "/$everything",
                                token)),
                new Operation("council CarePlan pull (social worker)", "search", Operation.Caller.SOCIAL_WORKER,
                        socialCare, (http, base, token, patient, n) -> http.get(
                                base + "/CarePlan?status=active&patient=Patient/" + patient, token)),
                new Operation("write Observation", "write", Operation.Caller.TRUST_CLINICIAN, hospital,
                        (http, base, token, patient, n) -> http.post(base + "/Observation", token,
                                heartRate(patient, n))));
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
