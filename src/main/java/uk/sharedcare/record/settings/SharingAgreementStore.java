package uk.sharedcare.record.settings;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.consent.SchemeParticipation;
import uk.sharedcare.record.consent.SharingAgreement;
import uk.sharedcare.record.patientstate.StateStamps;

/**
 * Each organisation's sharing agreement (rule 11), as admins record it at runtime, in the record's own table: one
 * row per organisation, read by every node. Like {@link OrganisationSharingStore}, a change is written in the audit
 * ledger's transaction with the AuditEvent that records it, and bumps the stamp every patient's state shares, so
 * the next request on any node decides with it.
 */
public final class SharingAgreementStore {

    static final String TABLE = "SCR_SHARING_AGREEMENT";

    /** One organisation's stored agreement, when it was recorded and by whom. */
    public record Stored(SharingAgreement agreement, Instant changed, String changedBy) {}

    private record Snapshot(long everyPatientStamp, SchemeParticipation participation) {}

    private final JdbcTemplate jdbc;
    private final StateStamps stamps;
    private final boolean agreementRequired;
    private final AtomicReference<Snapshot> kept = new AtomicReference<>(new Snapshot(-1, null));

    public SharingAgreementStore(JdbcTemplate jdbc, StateStamps stamps, boolean agreementRequired) {
        this.jdbc = jdbc;
        this.stamps = stamps;
        this.agreementRequired = agreementRequired;
        jdbc.execute("create table if not exists " + TABLE + " (ODS_CODE varchar(20) primary key,"
                + " STARTS date not null, ENDS date, CHANGED_AT timestamp not null, CHANGED_BY varchar(200) not null,"
                + " AUDIT_EVENT varchar(40) not null)");
    }

    public boolean agreementRequired() {
        return agreementRequired;
    }

    /** Which organisations take part, as stored now. */
    public SchemeParticipation current() {
        Map<String, SharingAgreement> agreements = new LinkedHashMap<>();
        all().forEach(stored -> agreements.put(stored.agreement().organisation(), stored.agreement()));
        return new SchemeParticipation(agreementRequired, agreements);
    }

    /**
     * Which organisations take part as of {@code everyPatientStamp}, the stamp a patient's state is loaded under:
     * read once per stamp on this node, and again after any change, since every change bumps that stamp.
     */
    public SchemeParticipation at(long everyPatientStamp) {
        Snapshot snapshot = kept.get();
        if (snapshot.everyPatientStamp() == everyPatientStamp) {
            return snapshot.participation();
        }
        // Read after the stamp: what is read is at least as new as the stamp it is kept under.
        Snapshot fresh = new Snapshot(everyPatientStamp, current());
        kept.accumulateAndGet(fresh, (old, read) -> old.everyPatientStamp() > read.everyPatientStamp() ? old : read);
        return fresh.participation();
    }

    public Optional<Stored> of(String organisation) {
        return all().stream().filter(stored -> stored.agreement().organisation().equals(organisation)).findFirst();
    }

    /** Every stored agreement, by ODS code. */
    public List<Stored> all() {
        return jdbc.query("select ODS_CODE, STARTS, ENDS, CHANGED_AT, CHANGED_BY, AUDIT_EVENT from " + TABLE
                + " order by ODS_CODE", (row, number) -> new Stored(new SharingAgreement(row.getString(1),
                        row.getDate(2).toLocalDate(), Optional.ofNullable(row.getDate(3)).map(Date::toLocalDate),
                        row.getString(6)), row.getTimestamp(4).toInstant(), row.getString(5)));
    }

    /**
     * Stores the organisation's agreement, in the caller's transaction (the audit ledger's, with the event that
     * records the change), and bumps the stamp every patient's state shares.
     */
    void store(String organisation, LocalDate starts, Optional<LocalDate> ends, Instant at, String by,
            String auditEvent) {
        jdbc.update("delete from " + TABLE + " where ODS_CODE = ?", organisation);
        jdbc.update("insert into " + TABLE + " (ODS_CODE, STARTS, ENDS, CHANGED_AT, CHANGED_BY, AUDIT_EVENT)"
                + " values (?, ?, ?, ?, ?, ?)", organisation, Date.valueOf(starts), ends.map(Date::valueOf).orElse(null),
                Timestamp.from(at.truncatedTo(ChronoUnit.MILLIS)), by, auditEvent);
        stamps.bumpEveryPatient();
    }
}
