package uk.sharedcare.record.audit;

import java.time.Clock;
import java.time.Period;
import org.springframework.scheduling.annotation.Scheduled;
import uk.sharedcare.record.audit.ledger.AuditLedger;
import uk.sharedcare.record.audit.ledger.LedgerSchema;

/**
 * Keeps the audit ledger to its retention ({@code shared-care.audit.retention}, eight years unless set): once a
 * day, whole months written before it are dropped, under the chain lock, so no append or chain check sees half a
 * month. It also makes next month's partitions before they are needed.
 */
final class LedgerRetention {

    private final AuditLedger ledger;
    private final LedgerSchema schema;
    private final Period retention;
    private final Clock clock;

    LedgerRetention(AuditLedger ledger, LedgerSchema schema, Period retention, Clock clock) {
        this.ledger = ledger;
        this.schema = schema;
        this.retention = retention;
        this.clock = clock;
    }

    @Scheduled(cron = "${shared-care.audit.retention-cron:0 30 3 * * *}", zone = "UTC")
    void dropExpiredMonths() {
        ledger.underChainLock(() -> schema.dropOlderThan(retention, clock.instant()));
        schema.ensureMonthOf(clock.instant().atOffset(java.time.ZoneOffset.UTC).plusMonths(1).toInstant());
    }
}
