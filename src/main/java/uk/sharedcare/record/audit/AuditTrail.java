package uk.sharedcare.record.audit;

import java.util.function.LongConsumer;
import org.hl7.fhir.r4.model.AuditEvent;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.AuditLedger;
import uk.sharedcare.record.audit.ledger.LedgerEntry;

/**
 * The one way onto the audit trail ({@link AuditSink}): the calling thread encodes and digests its own event, and
 * the ledger links and stores it. The caller does not answer its client until the append has committed.
 */
public final class AuditTrail implements AuditSink {

    private final AuditLedger ledger;
    private final AuditEventJson json;

    public AuditTrail(AuditLedger ledger, AuditEventJson json) {
        this.ledger = ledger;
        this.json = json;
    }

    @Override
    public String append(AuditEvent event) {
        return append(event, sequence -> { });
    }

    /**
     * Stores the event and then, in the same transaction and still holding the chain lock, whatever
     * {@code alsoRecord} writes about it (alerts): both are stored, or neither.
     */
    public String append(AuditEvent event, LongConsumer alsoRecord) {
        LedgerEntry entry = LedgerEntry.of(event, json.canonical(event));
        return "AuditEvent/" + ledger.append(entry, alsoRecord);
    }

    /** Runs {@code work} in a transaction holding the chain lock, serialised with every append on every node. */
    public void underChainLock(Runnable work) {
        ledger.underChainLock(work);
    }
}
