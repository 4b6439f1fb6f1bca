package uk.sharedcare.record.audit;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.AuditLedger;
import uk.sharedcare.record.audit.ledger.LedgerEntry;
import uk.sharedcare.record.audit.ledger.LedgerSchema;

/**
 * Moves a trail written by an earlier version, as HAPI AuditEvent resources, into the ledger, once, when the server
 * is ready: each event keeps its sequence number and its chain link exactly as written (the legacy hash scheme), so
 * the trail verifies end to end across the move. Batch by batch under the chain lock, each event copied and then
 * deleted from HAPI's tables in the same transaction, so a restart carries on where it stopped. Alerts that pointed
 * at an event's HAPI id are pointed at its ledger id, and the new-accessor alerts already raised are entered in the
 * alert outbox so that no organisation is announced twice.
 */
final class LedgerMigration {

    private static final Logger log = LoggerFactory.getLogger(LedgerMigration.class);
    private static final int BATCH = 200;

    private final IFhirResourceDao<AuditEvent> hapiEvents;
    private final IFhirResourceDao<Communication> communications;
    private final AuditLedger ledger;
    private final AuditEventJson json;
    private final JdbcTemplate jdbc;

    LedgerMigration(IFhirResourceDao<AuditEvent> hapiEvents, IFhirResourceDao<Communication> communications,
            AuditLedger ledger, AuditEventJson json, JdbcTemplate jdbc) {
        this.hapiEvents = hapiEvents;
        this.communications = communications;
        this.ledger = ledger;
        this.json = json;
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void migrateOnStart() {
        try {
            long moved = migrate();
            if (moved > 0) {
                log.info("Audit ledger: moved {} AuditEvents from HAPI's tables; the chain is unchanged", moved);
            }
        } catch (RuntimeException failed) {
            log.error("Audit ledger: could not move the earlier AuditEvents yet; the next start tries again", failed);
        }
    }

    /** Moves every HAPI-stored AuditEvent into the ledger; returns how many were moved. */
    long migrate() {
        List<Communication> alerts = alerts();
        Set<String> referenced = new HashSet<>();
        alerts.forEach(alert -> alert.getAbout().forEach(about -> referenced.add(about.getReference())));
        Map<String, String> newIds = new HashMap<>();
        long moved = 0;
        while (true) {
            // HAPI gives a search cut off by its count no size, so the batch is asked for by range.
            List<AuditEvent> batch = hapiEvents.search(SearchParameterMap.newSynchronous().setCount(BATCH)
                            .setLoadSynchronousUpTo(BATCH), new SystemRequestDetails())
                    .getResources(0, BATCH).stream().map(AuditEvent.class::cast).toList();
            if (batch.isEmpty()) {
                break;
            }
            ledger.underChainLock(() -> moveBatch(batch, referenced, newIds));
            moved += batch.size();
        }
        if (moved > 0 || !alerts.isEmpty()) {
            ledger.underChainLock(() -> updateAlerts(alerts, newIds));
        }
        return moved;
    }

    private void moveBatch(List<AuditEvent> batch, Set<String> referenced, Map<String, String> newIds) {
        List<AuditLedger.MigratedRow> rows = new ArrayList<>();
        for (AuditEvent event : batch) {
            long sequence = Long.parseLong(event.getExtensionByUrl(AuditEventJson.SEQUENCE_EXTENSION).getValue()
                    .primitiveValue());
            Extension chain = event.getExtensionByUrl(AuditEventJson.CHAIN_EXTENSION);
            String hapiId = "AuditEvent/" + event.getIdElement().getIdPart();
            if (referenced.contains(hapiId)) {
                newIds.put(hapiId, "AuditEvent/" + sequence);
            }
            String canonical = json.legacyCanonical(event);
            Instant written = Optional.ofNullable(event.getMeta().getLastUpdated()).map(d -> d.toInstant())
                    .orElse(event.getRecorded().toInstant());
            rows.add(new AuditLedger.MigratedRow(LedgerEntry.of(event, canonical), sequence, written,
                    chain.getExtensionByUrl("previous").getValue().primitiveValue(),
                    chain.getExtensionByUrl("hash").getValue().primitiveValue()));
        }
        ledger.insertMigrated(rows.stream().filter(row -> !alreadyMoved(row.sequence())).toList());
        for (AuditEvent event : batch) {
            hapiEvents.delete(event.getIdElement().toUnqualifiedVersionless(), new SystemRequestDetails());
        }
    }

    private boolean alreadyMoved(long sequence) {
        Integer found = jdbc.queryForObject("select count(*) from " + LedgerSchema.EVENTS + " where SEQ = ?",
                Integer.class, sequence);
        return found != null && found > 0;
    }

    private List<Communication> alerts() {
        return communications.search(SearchParameterMap.newSynchronous("category",
                        new TokenParam(AccessAlerts.ALERT_SYSTEM, null)), new SystemRequestDetails())
                .getAllResources().stream().map(Communication.class::cast).toList();
    }

    private void updateAlerts(List<Communication> alerts, Map<String, String> newIds) {
        for (Communication alert : alerts) {
            boolean changed = false;
            for (Reference about : alert.getAbout()) {
                String moved = newIds.get(about.getReference());
                if (moved != null) {
                    about.setReference(moved);
                    changed = true;
                }
            }
            if (changed) {
                communications.update(alert, new SystemRequestDetails());
            }
            String kind = alert.getCategoryFirstRep().getCodingFirstRep().getCode();
            if (AccessAlerts.NEW_ACCESSOR.equals(kind)) {
                AlertOutbox.alreadyDelivered(jdbc, alert);
            }
        }
    }

}
