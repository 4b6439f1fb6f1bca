package uk.sharedcare.record.patientstate;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The stamp table in the record's database: one row per patient whose policy inputs have ever changed, and one
 * row for changes that concern every patient. Every node reads it, so a change made on one node is seen by the
 * next request on any node.
 */
public final class StateStamps {

    static final String TABLE = "SCR_PATIENT_STATE_STAMP";
    /** The row for changes that concern every patient; no patient's key ({@code Patient/<id>}) looks like it. */
    static final String EVERY_PATIENT = "*";
    /** Fewer ids than any database's limit on bind parameters; a page of results fits in one query. */
    private static final int IDS_PER_QUERY = 1000;

    // PostgreSQL's MERGE can fail on a concurrent first insert of the same key; ON CONFLICT cannot.
    private static final String POSTGRES_BUMP = "insert into " + TABLE + " (PATIENT_ID, VERSION) values (?, 1)"
            + " on conflict (PATIENT_ID) do update set VERSION = " + TABLE + ".VERSION + 1";
    private static final String STANDARD_BUMP = "merge into " + TABLE + " T using (values (cast(? as varchar(100))))"
            + " S(PATIENT_ID) on T.PATIENT_ID = S.PATIENT_ID when matched then update set VERSION = T.VERSION + 1"
            + " when not matched then insert (PATIENT_ID, VERSION) values (S.PATIENT_ID, 1)";

    private final JdbcTemplate jdbc;
    private final String bumpSql;

    public StateStamps(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE
                + " (PATIENT_ID varchar(100) primary key, VERSION bigint not null)");
        this.bumpSql = isPostgres(jdbc) ? POSTGRES_BUMP : STANDARD_BUMP;
    }

    /** The current stamps of these patients (ids such as {@code Patient/123}), in one query for up to 1,000. */
    public Map<String, Stamp> read(Collection<String> patientIds) {
        Map<String, Long> versions = new HashMap<>();
        List<String> ids = new ArrayList<>(patientIds);
        for (int from = 0; from < Math.max(1, ids.size()); from += IDS_PER_QUERY) {
            List<String> chunk = new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY)));
            chunk.add(EVERY_PATIENT);
            jdbc.query("select PATIENT_ID, VERSION from " + TABLE + " where PATIENT_ID in ("
                    + "?,".repeat(chunk.size() - 1) + "?)",
                    row -> { versions.put(row.getString(1), row.getLong(2)); }, chunk.toArray());
        }
        long everyPatient = versions.getOrDefault(EVERY_PATIENT, 0L);
        Map<String, Stamp> stamps = new HashMap<>();
        patientIds.forEach(id -> stamps.put(id, new Stamp(versions.getOrDefault(id, 0L), everyPatient)));
        return stamps;
    }

    /**
     * Bumps these keys (patient ids, or {@link #EVERY_PATIENT}) in the caller's transaction. Sorted, so two
     * transactions bumping the same patients lock their rows in the same order and cannot deadlock.
     */
    void bump(SortedSet<String> keys) {
        jdbc.batchUpdate(bumpSql, keys.stream().map(key -> new Object[] {key}).toList());
    }

    /**
     * Bumps the stamp every patient's state shares, in the caller's transaction: for a change that concerns every
     * patient (an organisation's sharing settings), so that every node loads each state again.
     */
    public void bumpEveryPatient() {
        bump(new TreeSet<>(List.of(EVERY_PATIENT)));
    }

    private static boolean isPostgres(JdbcTemplate jdbc) {
        return Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) connection ->
                connection.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")));
    }
}
