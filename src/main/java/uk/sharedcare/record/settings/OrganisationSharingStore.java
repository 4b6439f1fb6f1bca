package uk.sharedcare.record.settings;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;
import uk.sharedcare.record.patientstate.StateStamps;

/**
 * The sharing settings organisations make for themselves at runtime, in the record's own table (decision 16):
 * one row per organisation that has made one, read by every node. A change is written in the audit ledger's
 * transaction together with its AuditEvent, and bumps the stamp every patient's state shares, so the next request
 * on any node decides with it. The policy file gives the settings of every organisation without a row.
 */
public final class OrganisationSharingStore {

    static final String TABLE = "SCR_ORGANISATION_SHARING";
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    /** One organisation's stored setting: what it is, when it was made and the AuditEvent that records it. */
    public record Stored(String organisation, OrganisationSharing sharing, Instant changed, String changedBy,
            String auditEvent) {}

    private record Snapshot(long everyPatientStamp, Map<String, OrganisationSharing> sharing) {}

    private final JdbcTemplate jdbc;
    private final StateStamps stamps;
    private final AtomicReference<Snapshot> kept = new AtomicReference<>(new Snapshot(-1, Map.of()));

    public OrganisationSharingStore(JdbcTemplate jdbc, StateStamps stamps) {
        this.jdbc = jdbc;
        this.stamps = stamps;
        jdbc.execute("create table if not exists " + TABLE + " (ODS_CODE varchar(20) primary key,"
                + " SHARING varchar(20) not null, SHARE_ONLY_WITH varchar(4000) not null,"
                + " CHANGED_AT timestamp not null, CHANGED_BY varchar(200) not null, AUDIT_EVENT varchar(40) not null)");
    }

    /** Every stored setting as it is now, by ODS code. */
    public Map<String, OrganisationSharing> current() {
        Map<String, OrganisationSharing> sharing = new LinkedHashMap<>();
        all().forEach(stored -> sharing.put(stored.organisation(), stored.sharing()));
        return Map.copyOf(sharing);
    }

    /**
     * The stored settings as of {@code everyPatientStamp}, the stamp a patient's state is loaded under: read once
     * per stamp on this node, and again after any change, since every change bumps that stamp.
     */
    public Map<String, OrganisationSharing> at(long everyPatientStamp) {
        Snapshot snapshot = kept.get();
        if (snapshot.everyPatientStamp() == everyPatientStamp) {
            return snapshot.sharing();
        }
        // Read after the stamp: what is read is at least as new as the stamp it is kept under.
        Snapshot fresh = new Snapshot(everyPatientStamp, current());
        kept.accumulateAndGet(fresh, (old, read) -> old.everyPatientStamp() > read.everyPatientStamp() ? old : read);
        return fresh.sharing();
    }

    public Optional<Stored> of(String organisation) {
        return all().stream().filter(stored -> stored.organisation().equals(organisation)).findFirst();
    }

    private List<Stored> all() {
        return jdbc.query("select ODS_CODE, SHARING, SHARE_ONLY_WITH, CHANGED_AT, CHANGED_BY, AUDIT_EVENT from "
                + TABLE + " order by ODS_CODE", (row, number) -> {
                    Instant changed = row.getTimestamp(4).toInstant();
                    String auditEvent = row.getString(6);
                    SharingModel model = SharingModel.fromCode(row.getString(2)).orElseThrow();
                    return new Stored(row.getString(1), new OrganisationSharing(model, list(row.getString(3)),
                            "its own setting in the record since " + WHEN.format(changed) + ", " + auditEvent),
                            changed, row.getString(5), auditEvent);
                });
    }

    /**
     * Stores the organisation's setting, in the caller's transaction (the audit ledger's, with the event that
     * records the change), and bumps the stamp every patient's state shares.
     */
    void store(String organisation, SharingModel model, Set<String> shareOnlyWith, Instant at, String by,
            String auditEvent) {
        jdbc.update("delete from " + TABLE + " where ODS_CODE = ?", organisation);
        jdbc.update("insert into " + TABLE + " (ODS_CODE, SHARING, SHARE_ONLY_WITH, CHANGED_AT, CHANGED_BY,"
                + " AUDIT_EVENT) values (?, ?, ?, ?, ?, ?)", organisation, model.code(),
                String.join(",", new TreeSet<>(shareOnlyWith)), Timestamp.from(at.truncatedTo(ChronoUnit.MILLIS)),
                by, auditEvent);
        stamps.bumpEveryPatient();
    }

    private static Set<String> list(String joined) {
        return joined.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(joined.split(",")));
    }
}
