package uk.sharedcare.record.audit.ledger;

import java.sql.DatabaseMetaData;
import java.time.Instant;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The ledger's tables, apart from HAPI's: the chain head, one row per event, and the side table of what each event
 * is about, indexed for search. On PostgreSQL both event tables are partitioned by month of writing (declarative
 * range partitioning), so a month is verified, kept or dropped as a whole; on H2 (the zero-setup default) they are
 * plain tables. Months older than the retention are dropped, and the head keeps the hash of the last row dropped,
 * so the trail that remains still verifies from its first row.
 */
public final class LedgerSchema {

    public static final String HEAD = "SCR_AUDIT_CHAIN";
    public static final String EVENTS = "SCR_AUDIT_LEDGER";
    public static final String REFERENCES = "SCR_AUDIT_LEDGER_REF";
    private static final Logger log = LoggerFactory.getLogger(LedgerSchema.class);

    private final JdbcTemplate jdbc;
    private final boolean partitioned;
    private final Set<YearMonth> months = ConcurrentHashMap.newKeySet();

    public LedgerSchema(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.partitioned = "PostgreSQL".equalsIgnoreCase(jdbc.execute(
                (ConnectionCallback<String>) connection -> {
                    DatabaseMetaData meta = connection.getMetaData();
                    return meta.getDatabaseProductName();
                }));
        create();
    }

    public boolean partitioned() {
        return partitioned;
    }

    private void create() {
        jdbc.execute("create table if not exists " + HEAD
                + " (ID integer primary key, HEAD_HASH varchar(64) not null, SEQ bigint not null)");
        jdbc.execute("alter table " + HEAD + " add column if not exists LAST_WRITTEN timestamp with time zone");
        jdbc.execute("alter table " + HEAD + " add column if not exists PRUNED_SEQ bigint default 0 not null");
        jdbc.execute("alter table " + HEAD + " add column if not exists PRUNED_HASH varchar(64) default '"
                + ChainHash.GENESIS + "' not null");
        try {
            jdbc.update("insert into " + HEAD + " (ID, HEAD_HASH, SEQ) select 1, ?, 0 where not exists"
                    + " (select 1 from " + HEAD + " where ID = 1)", ChainHash.GENESIS);
        } catch (DataAccessException anotherNodeWasFirst) {
            // the head exists, which is all that is needed
        }
        String byMonth = partitioned ? " partition by range (WRITTEN)" : "";
        jdbc.execute("create table if not exists " + EVENTS + " (SEQ bigint not null,"
                + " WRITTEN timestamp with time zone not null, NODE varchar(200) not null,"
                + " RECORDED timestamp with time zone not null, EVENT_TYPE varchar(256), SUBTYPE varchar(256),"
                + " ACTION varchar(8), OUTCOME varchar(8), AGENT_USER varchar(256), AGENT_CLIENT varchar(256),"
                + " AGENT_ORG varchar(256), AGENT_ROLES varchar(256), PURPOSE varchar(256),"
                + " CHAIN_SCHEME smallint not null, PREV_HASH varchar(64) not null, HASH varchar(64) not null,"
                + " EVENT_JSON varchar not null, primary key (SEQ, WRITTEN))" + byMonth);
        jdbc.execute("create table if not exists " + REFERENCES + " (SEQ bigint not null,"
                + " WRITTEN timestamp with time zone not null, KIND varchar(8) not null, REF varchar(256) not null)"
                + byMonth);
        jdbc.execute("create index if not exists SCR_AUDIT_REF_LOOKUP on " + REFERENCES + " (KIND, REF, SEQ)");
        jdbc.execute("create index if not exists SCR_AUDIT_REF_EVENT on " + REFERENCES + " (SEQ)");
        jdbc.execute("create index if not exists SCR_AUDIT_RECORDED on " + EVENTS + " (RECORDED)");
        ensureMonth(YearMonth.now(ZoneOffset.UTC));
        ensureMonth(YearMonth.now(ZoneOffset.UTC).plusMonths(1));
    }

    /** Makes sure the month {@code written} falls in has its partitions (a no-op without partitioning). */
    public void ensureMonthOf(Instant written) {
        ensureMonth(YearMonth.from(written.atOffset(ZoneOffset.UTC)));
    }

    /**
     * The table rows of {@code table} written at {@code written} are stored in, made if need be: the month's
     * partition when partitioned, so an insert need not be routed row by row, else the table itself.
     */
    String storedIn(String table, Instant written) {
        YearMonth month = YearMonth.from(written.atOffset(ZoneOffset.UTC));
        ensureMonth(month);
        return partitioned ? partition(table, month) : table;
    }

    private void ensureMonth(YearMonth month) {
        if (!partitioned || months.contains(month)) {
            return;
        }
        for (String table : List.of(EVENTS, REFERENCES)) {
            jdbc.execute("create table if not exists " + partition(table, month) + " partition of " + table
                    + " for values from ('" + month.atDay(1) + " 00:00:00+00') to ('" + month.plusMonths(1).atDay(1)
                    + " 00:00:00+00')");
        }
        months.add(month);
    }

    private static String partition(String table, YearMonth month) {
        int number = month.getMonthValue();
        return table + "_" + month.getYear() + "_" + (number < 10 ? "0" : "") + number;
    }

    /**
     * Drops whole months written before {@code now - retention}, oldest first, under the chain lock (the caller's
     * transaction holds it); the head keeps the last dropped row's sequence and hash.
     *
     * @return the months dropped
     */
    public List<YearMonth> dropOlderThan(Period retention, Instant now) {
        YearMonth firstKept = YearMonth.from(now.atOffset(ZoneOffset.UTC).minus(retention));
        Instant cutoff = firstKept.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
        List<YearMonth> dropped = partitioned ? partitionMonths().stream().filter(firstKept::isAfter).sorted().toList()
                : List.of();
        var last = jdbc.queryForList("select SEQ, HASH from " + EVENTS + " where WRITTEN < ? order by SEQ desc"
                + " fetch first 1 rows only", java.sql.Timestamp.from(cutoff));
        if (last.isEmpty()) {
            return List.of();
        }
        jdbc.update("update " + HEAD + " set PRUNED_SEQ = ?, PRUNED_HASH = ? where ID = 1",
                last.get(0).get("SEQ"), last.get(0).get("HASH"));
        if (partitioned) {
            for (YearMonth month : dropped) {
                for (String table : List.of(REFERENCES, EVENTS)) {
                    jdbc.execute("drop table if exists " + partition(table, month));
                }
                months.remove(month);
                log.info("Audit ledger: dropped {} (older than the retention of {})", month, retention);
            }
        } else {
            jdbc.update("delete from " + REFERENCES + " where WRITTEN < ?", java.sql.Timestamp.from(cutoff));
            jdbc.update("delete from " + EVENTS + " where WRITTEN < ?", java.sql.Timestamp.from(cutoff));
        }
        return dropped;
    }

    private List<YearMonth> partitionMonths() {
        return jdbc.queryForList("select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid"
                        + " join pg_class p on p.oid = i.inhparent where p.relname = ?", String.class,
                        EVENTS.toLowerCase())
                .stream()
                .map(name -> name.substring(name.length() - 7))
                .map(suffix -> YearMonth.of(Integer.parseInt(suffix.substring(0, 4)),
                        Integer.parseInt(suffix.substring(5))))
                .toList();
    }
}
