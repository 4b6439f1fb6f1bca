package uk.sharedcare.record.audit;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * What one request did, as the audit trail needs it: who (when known), which interaction, what was disclosed
 * about which patients, and how it ended, with the deciding rule for a refusal.
 *
 * @param at            when the request was received
 * @param who           the caller's access context; empty when the request was refused before one existed
 * @param interaction   the FHIR restful interaction ({@code read}, {@code search-type}, {@code create}, ...)
 * @param requestUrl    the request as the client sent it
 * @param clientAddress the client's network address
 * @param outcome       success, refusal or failure
 * @param disclosed     every resource shown to the caller, as {@code Type/id}
 * @param patients      every patient the request was about, as {@code Patient/id}
 * @param refusal       for a refusal: the deciding rule, in plain words, and its evidence
 */
public record AccessRecord(
        Instant at,
        Optional<AccessContext> who,
        String interaction,
        String requestUrl,
        Optional<String> clientAddress,
        Outcome outcome,
        List<String> disclosed,
        List<String> patients,
        Optional<Refusal> refusal) {

    public AccessRecord {
        disclosed = List.copyOf(disclosed);
        patients = List.copyOf(patients);
    }

    /**
     * The same access as it was answered when the trail could not take it: refused with 503, nothing disclosed,
     * recorded afterwards from the spill.
     */
    public AccessRecord unrecorded() {
        String was = outcome + refusal.map(r -> " (" + r.rule() + "): " + r.text()).orElse("");
        return new AccessRecord(at, who, interaction, requestUrl, clientAddress, Outcome.FAILED, List.of(), patients,
                Optional.of(new Refusal("HTTP 503", OperationOutcomeWriter.UNRECORDED + " (the audit trail could not"
                        + " take it when it happened; it would have been " + was + ")", Optional.empty())));
    }

    public enum Outcome {
        SUCCESS,
        REFUSED,
        FAILED
    }

    /**
     * @param rule     the deciding rule's name, such as {@code PATIENT_DISSENT}
     * @param text     the rule and this case, in plain words
     * @param evidence the deciding resource, such as {@code Consent/123}
     */
    public record Refusal(String rule, String text, Optional<String> evidence) {}
}
