package uk.sharedcare.record.audit;

import org.hl7.fhir.r4.model.AuditEvent;

/**
 * Where every audit event goes: requests, refusals, extracts and their downloads alike. An event is on the trail,
 * chained and committed, when {@code append} returns; if it cannot be stored, {@code append} throws and nothing is
 * stored.
 */
public interface AuditSink {

    /** @return the stored event's id, {@code AuditEvent/<sequence>} */
    String append(AuditEvent event);
}
