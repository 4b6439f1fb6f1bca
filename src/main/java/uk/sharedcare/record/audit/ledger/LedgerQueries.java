package uk.sharedcare.record.audit.ledger;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.audit.ledger.LedgerEntry.LedgerReference;

/**
 * Reads the ledger: one event, a page of a search (keyset, by sequence number), the rows in order for the chain
 * check (streamed, a bounded number in memory at a time), and the aggregates of an access report. Every query is
 * bounded by an index and a limit; none reads the whole trail into memory.
 */
public final class LedgerQueries implements ChainVerification.Source {

    private static final String ROW_COLUMNS = "L.SEQ, L.WRITTEN, L.CHAIN_SCHEME, L.PREV_HASH, L.HASH, L.EVENT_JSON";
    private static final int STREAM_FETCH = 500;

    private final JdbcTemplate jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate readOnly;

    public LedgerQueries(JdbcTemplate jdbc, TransactionTemplate readOnly) {
        this.jdbc = jdbc;
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(STREAM_FETCH);
        this.readOnly = readOnly;
    }

    public Optional<LedgerRow> read(long sequence) {
        return jdbc.query("select " + ROW_COLUMNS + " from " + LedgerSchema.EVENTS + " L where L.SEQ = ?", ROW,
                sequence).stream().findFirst();
    }

    public List<LedgerRow> search(LedgerSearch search) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder("select " + ROW_COLUMNS + " from " + LedgerSchema.EVENTS + " L where 1 = 1");
        search.after().ifPresent(cursor -> {
            sql.append(search.newestFirst() ? " and L.SEQ < ?" : " and L.SEQ > ?");
            parameters.add(cursor);
        });
        for (List<LedgerReference> anyOf : search.references()) {
            sql.append(" and exists (select 1 from " + LedgerSchema.REFERENCES + " R where R.SEQ = L.SEQ"
                    + " and R.WRITTEN = L.WRITTEN and (");
            for (int i = 0; i < anyOf.size(); i++) {
                sql.append(i == 0 ? "" : " or ").append("(R.KIND = ? and R.REF = ?)");
                parameters.add(anyOf.get(i).kind().name());
                parameters.add(anyOf.get(i).value());
            }
            sql.append("))");
        }
        search.recordedFrom().ifPresent(from -> {
            sql.append(" and L.RECORDED >= ?");
            parameters.add(AuditLedger.utc(from));
        });
        search.recordedTo().ifPresent(to -> {
            sql.append(" and L.RECORDED < ?");
            parameters.add(AuditLedger.utc(to));
        });
        anyOf(sql, parameters, "L.EVENT_TYPE", search.types());
        anyOf(sql, parameters, "L.SUBTYPE", search.subtypes());
        anyOf(sql, parameters, "L.ACTION", search.actions());
        anyOf(sql, parameters, "L.OUTCOME", search.outcomes());
        anyOf(sql, parameters, "L.PURPOSE", search.purposes());
        sql.append(" order by L.SEQ").append(search.newestFirst() ? " desc" : "")
                .append(" fetch first ").append(search.limit()).append(" rows only");
        return jdbc.query(sql.toString(), ROW, parameters.toArray());
    }

    private static void anyOf(StringBuilder sql, List<Object> parameters, String column, List<String> values) {
        if (!values.isEmpty()) {
            sql.append(" and ").append(column).append(" in (")
                    .append(String.join(", ", Collections.nCopies(values.size(), "?"))).append(")");
            parameters.addAll(values);
        }
    }

    /** The chain head: the last sequence number and hash, and where the retained trail starts. */
    public record ChainState(long sequence, String hash, long prunedSequence, String prunedHash) {}

    @Override
    public ChainState chainState() {
        return jdbc.queryForObject("select SEQ, HEAD_HASH, PRUNED_SEQ, PRUNED_HASH from " + LedgerSchema.HEAD
                + " where ID = 1", (rs, n) -> new ChainState(rs.getLong(1), rs.getString(2), rs.getLong(3),
                rs.getString(4)));
    }

    /** The hash of the row at {@code sequence}, if it is still kept. */
    @Override
    public Optional<String> hashAt(long sequence) {
        return jdbc.queryForList("select HASH from " + LedgerSchema.EVENTS + " where SEQ = ?", String.class, sequence)
                .stream().findFirst();
    }

    /**
     * Hands every row to {@code each} in sequence order, {@value #STREAM_FETCH} rows in memory at a time; with a
     * month, only the rows written in it.
     */
    @Override
    public void inOrder(Optional<YearMonth> month, Consumer<LedgerRow> each) {
        readOnly.executeWithoutResult(status -> {
            List<Object> parameters = new ArrayList<>();
            String where = "";
            if (month.isPresent()) {
                where = " where L.WRITTEN >= ? and L.WRITTEN < ?";
                parameters.add(month.get().atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC));
                parameters.add(month.get().plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC));
            }
            streaming.query("select " + ROW_COLUMNS + " from " + LedgerSchema.EVENTS + " L" + where
                    + " order by L.SEQ", rs -> {
                        each.accept(ROW.mapRow(rs, 0));
                    }, parameters.toArray());
        });
    }

    /** Successful accesses to one patient's record, grouped by organisation, roles and purpose. */
    public record AccessorRow(String organisation, String roles, String purpose, long count, Instant first,
            Instant last) {}

    public List<AccessorRow> accessors(String patient) {
        return jdbc.query("select L.AGENT_ORG, L.AGENT_ROLES, L.PURPOSE, count(*), min(L.RECORDED), max(L.RECORDED)"
                + patientEvents() + " and L.OUTCOME = '0' group by L.AGENT_ORG, L.AGENT_ROLES, L.PURPOSE",
                (rs, n) -> new AccessorRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        instant(rs, 5), instant(rs, 6)), patient);
    }

    public long refusals(String patient) {
        Long count = jdbc.queryForObject("select count(*)" + patientEvents() + " and L.OUTCOME <> '0'", Long.class,
                patient);
        return count == null ? 0 : count;
    }

    /** Successful accesses to the patient's record for emergency treatment (break-glass), oldest first. */
    public List<LedgerRow> breakGlass(String patient, int limit) {
        return jdbc.query("select " + ROW_COLUMNS + patientEvents() + " and L.OUTCOME = '0' and L.PURPOSE = 'ETREAT'"
                + " order by L.SEQ fetch first " + limit + " rows only", ROW, patient);
    }

    private static String patientEvents() {
        return " from " + LedgerSchema.EVENTS + " L join " + LedgerSchema.REFERENCES + " R on R.SEQ = L.SEQ"
                + " and R.WRITTEN = L.WRITTEN where R.KIND = 'PATIENT' and R.REF = ?";
    }

    private static final RowMapper<LedgerRow> ROW = (rs, n) -> new LedgerRow(rs.getLong(1), instant(rs, 2),
            ChainHash.Scheme.of(rs.getInt(3)), rs.getString(4), rs.getString(5), rs.getString(6));

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
