package uk.sharedcare.bench;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One measured kind of request: its name, who makes it (with the plugin on), the patients it is about, and how
 * to make it for one of them. With the plugin off the same request goes without a token.
 *
 * @param kind read, search, everything or write: which target the ratio is compared with
 */
record Operation(String name, String kind, Caller caller, List<String> patients, Request request) {

    Operation {
        patients = List.copyOf(patients);
        if (patients.isEmpty()) {
            throw new IllegalArgumentException("No patients to measure " + name + " on");
        }
    }

    /** A patient drawn uniformly from all the operation's patients. */
    String randomPatient(SplittableRandom random) {
        return patients.get(random.nextInt(patients.size()));
    }

    /** Who makes the request when the plugin is on. */
    enum Caller { TRUST_CLINICIAN, SOCIAL_WORKER }

    /** Makes the request about one patient; {@code n} numbers the request, for unique content. */
    interface Request {
        LoopbackHttp.Answer send(LoopbackHttp http, String baseUrl, Optional<String> token, String patient, long n);
    }
}
