package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The append-only audit trail in the record's own database. Each append takes the chain head row with
 * {@code SELECT ... FOR UPDATE}, links the event to it, stores the event and moves the head, all in one
 * transaction: appends from every thread and every server node are serialised, and an event is either stored and
 * chained or not at all. The caller does not answer its client until the append has committed. Appends that arrive
 * together are committed together ({@link AuditGroupCommit}); an append made inside a caller's own transaction
 * joins that transaction instead.
 */
public final class AuditTrail implements AutoCloseable {

    public static final String SEQUENCE_EXTENSION =
            "https://sharedcarerecord.uk/fhir/StructureDefinition/audit-sequence";
    static final String HEAD_TABLE = "SCR_AUDIT_CHAIN";

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final IFhirResourceDao<AuditEvent> events;
    private final AuditChain chain;
    private final AuditGroupCommit groupCommit;

    /** @param patience how long a caller waits for its event to be stored before it answers 503 */
    public AuditTrail(JdbcTemplate jdbc, TransactionTemplate transactions, IFhirResourceDao<AuditEvent> events,
            AuditChain chain, Duration patience) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.events = events;
        this.chain = chain;
        createHeadIfMissing();
        this.groupCommit = new AuditGroupCommit(this::appendAll, patience);
    }

    /** Stores the event, chained to the trail; returns its id. Fails, storing nothing, if the store fails. */
    public String append(AuditEvent event) {
        return append(event, id -> { });
    }

    /**
     * Stores the event and then, in the same transaction and still holding the chain lock, whatever
     * {@code alsoRecord} writes about it (alerts): both are stored, or neither.
     */
    public String append(AuditEvent event, Consumer<String> alsoRecord) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return appendAll(List.of(new AuditGroupCommit.Pending(event, alsoRecord, null))).get(0);
        }
        return groupCommit.append(event, alsoRecord);
    }

    /** Appends the events in order, under one chain lock, in one transaction (or the caller's). */
    private List<String> appendAll(List<AuditGroupCommit.Pending> batch) {
        return transactions.execute(status -> {
            Map<String, Object> head = jdbc.queryForMap(
                    "select HEAD_HASH, SEQ from " + HEAD_TABLE + " where ID = 1 for update");
            long sequence = ((Number) head.get("SEQ")).longValue();
            String hash = (String) head.get("HEAD_HASH");
            List<String> ids = new ArrayList<>(batch.size());
            for (AuditGroupCommit.Pending pending : batch) {
                if (!pending.claim()) {
                    ids.add(null); // its caller stopped waiting and reported it unrecorded
                    continue;
                }
                AuditEvent event = pending.event();
                event.setId((String) null); // a retry after a failed batch stores it afresh
                sequence++;
                event.getExtension().removeIf(e -> SEQUENCE_EXTENSION.equals(e.getUrl()));
                event.addExtension(SEQUENCE_EXTENSION, new StringType(Long.toString(sequence)));
                hash = chain.link(event, hash);
                String id = events.create(event, new SystemRequestDetails()).getId().toUnqualifiedVersionless()
                        .getValue();
                pending.alsoRecord().accept(id);
                ids.add(id);
            }
            jdbc.update("update " + HEAD_TABLE + " set HEAD_HASH = ?, SEQ = ? where ID = 1", hash, sequence);
            return ids;
        });
    }

    /** Writes the appends already waiting, then takes no more. */
    @Override
    public void close() {
        groupCommit.close();
    }

    /** Runs {@code work} in a transaction holding the chain lock, serialised with every append on every node. */
    public void underChainLock(Runnable work) {
        transactions.executeWithoutResult(status -> {
            jdbc.queryForMap("select SEQ from " + HEAD_TABLE + " where ID = 1 for update");
            work.run();
        });
    }

    /** The position of an event in the trail. */
    public static long sequenceOf(AuditEvent event) {
        var extension = event.getExtensionByUrl(SEQUENCE_EXTENSION);
        return extension == null ? Long.MAX_VALUE : Long.parseLong(extension.getValue().primitiveValue());
    }

    private void createHeadIfMissing() {
        jdbc.execute("create table if not exists " + HEAD_TABLE
                + " (ID integer primary key, HEAD_HASH varchar(64) not null, SEQ bigint not null)");
        try {
            jdbc.update("insert into " + HEAD_TABLE + " (ID, HEAD_HASH, SEQ) select 1, ?, 0 where not exists"
                    + " (select 1 from " + HEAD_TABLE + " where ID = 1)", AuditChain.GENESIS);
        } catch (DuplicateKeyException anotherNodeWasFirst) {
            // the head exists, which is all that is needed
        }
    }
}
