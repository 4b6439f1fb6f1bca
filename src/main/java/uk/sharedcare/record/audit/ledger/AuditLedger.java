package uk.sharedcare.record.audit.ledger;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import org.postgresql.PGConnection;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends to the audit ledger. Each append takes the chain head row with {@code SELECT ... FOR UPDATE}, links its
 * events to it, writes them and moves the head, all in one transaction: appends from every thread and every server
 * node are serialised, and an event is either stored and chained or not at all. The events arrive built, encoded
 * and digested by their request threads; under the lock only the links are computed, and the batch is written as
 * one multi-row insert per table ({@link AuditGroupCommit}). An append made inside a caller's own transaction
 * joins that transaction instead.
 */
public final class AuditLedger implements AutoCloseable {

    /**
     * An event to append, and what to write with it, in its transaction, once its sequence number is known; on
     * PostgreSQL with its rows already encoded for {@code COPY} by the calling thread.
     */
    record Appending(LedgerEntry entry, LongConsumer alsoRecord, CopyRows copy) {}

    static final List<String> EVENT_COLUMNS = List.of("SEQ", "WRITTEN", "NODE", "RECORDED", "EVENT_TYPE", "SUBTYPE",
            "ACTION", "OUTCOME", "AGENT_USER", "AGENT_CLIENT", "AGENT_ORG", "AGENT_ROLES", "PURPOSE", "CHAIN_SCHEME",
            "PREV_HASH", "HASH", "EVENT_JSON");
    private static final List<String> REFERENCE_COLUMNS = List.of("SEQ", "WRITTEN", "KIND", "REF");
    /** PostgreSQL takes at most 65,535 parameters a statement. */
    private static final int MAX_PARAMETERS = 30_000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final LedgerSchema schema;
    private final Clock clock;
    private final String node;
    private final AuditGroupCommit<Appending> groupCommit;

    /** @param patience how long a caller waits for its event to be stored before it answers 503 */
    public AuditLedger(JdbcTemplate jdbc, TransactionTemplate transactions, LedgerSchema schema, Clock clock,
            Duration patience) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.schema = schema;
        this.clock = clock;
        this.node = ManagementFactory.getRuntimeMXBean().getName();
        this.groupCommit = new AuditGroupCommit<>(this::appendAll, patience);
    }

    /**
     * Stores the entry, chained to the trail, and then, in the same transaction and still holding the chain lock,
     * whatever {@code alsoRecord} writes about it (alerts): both are stored, or neither. Returns its sequence number;
     * fails, storing nothing, if the store fails.
     */
    public long append(LedgerEntry entry, LongConsumer alsoRecord) {
        Appending appending = new Appending(entry, alsoRecord, schema.partitioned() ? CopyRows.of(entry) : null);
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return appendAll(List.of(new AuditGroupCommit.Pending<>(appending))).get(0);
        }
        return groupCommit.append(appending);
    }

    /** Runs {@code work} in a transaction holding the chain lock, serialised with every append on every node. */
    public void underChainLock(Runnable work) {
        transactions.executeWithoutResult(status -> {
            lockHead();
            work.run();
        });
    }

    /** Writes the appends already waiting, then takes no more. */
    @Override
    public void close() {
        groupCommit.close();
    }

    private List<Long> appendAll(List<AuditGroupCommit.Pending<Appending>> batch) {
        return transactions.execute(status -> {
            Head head = lockHead();
            Instant written = head.lastWritten() == null || clock.instant().isAfter(head.lastWritten())
                    ? clock.instant().truncatedTo(ChronoUnit.MICROS) : head.lastWritten();
            long sequence = head.sequence();
            String hash = head.hash();
            List<Long> sequences = new ArrayList<>(batch.size());
            List<StoredRow> rows = new ArrayList<>(batch.size());
            List<CopyRows> copies = new ArrayList<>(batch.size());
            for (AuditGroupCommit.Pending<Appending> pending : batch) {
                if (!pending.claim()) {
                    sequences.add(null); // its caller stopped waiting and reported it unrecorded
                    continue;
                }
                sequence++;
                String previous = hash;
                hash = ChainHash.linkDigest(previous, pending.item().entry().digest());
                rows.add(new StoredRow(pending.item().entry(), sequence, written, ChainHash.Scheme.DIGEST, previous,
                        hash));
                copies.add(pending.item().copy());
                sequences.add(sequence);
            }
            if (!rows.isEmpty() && copies.stream().allMatch(Objects::nonNull)) {
                copy(rows, copies);
            } else {
                insert(rows);
            }
            for (int i = 0; i < batch.size(); i++) {
                if (sequences.get(i) != null) {
                    batch.get(i).item().alsoRecord().accept(sequences.get(i));
                }
            }
            moveHead(hash, sequence, written);
            return sequences;
        });
    }

    /**
     * Writes one batch's rows, already linked and all written at the same time, with one {@code COPY} per table:
     * PostgreSQL's bulk load, straight into the month's partitions, the rows encoded by their callers.
     */
    private void copy(List<StoredRow> rows, List<CopyRows> copies) {
        Instant written = rows.get(0).written();
        String at = CopyRows.timestamp(written);
        StringBuilder events = new StringBuilder(rows.size() * 1024);
        StringBuilder references = new StringBuilder(rows.size() * 256);
        for (int i = 0; i < rows.size(); i++) {
            StoredRow row = rows.get(i);
            events.append(copies.get(i).eventRow(row.sequence(), at, row.scheme(), row.previous(), row.hash(), node));
            for (String reference : copies.get(i).referenceTails()) {
                references.append(row.sequence()).append('\t').append(at).append('\t').append(reference).append('\n');
            }
        }
        copyIn(schema.storedIn(LedgerSchema.EVENTS, written), CopyRows.EVENT_COLUMNS, events);
        if (!references.isEmpty()) {
            copyIn(schema.storedIn(LedgerSchema.REFERENCES, written), CopyRows.REFERENCE_COLUMNS, references);
        }
    }

    private void copyIn(String table, List<String> columns, CharSequence rows) {
        String sql = "copy " + table + " (" + String.join(", ", columns) + ") from stdin";
        jdbc.execute((ConnectionCallback<Long>) connection -> {
            try {
                return connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql,
                        new StringReader(rows.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** An event written before the ledger existed, with the place and link it was given then. */
    public record MigratedRow(LedgerEntry entry, long sequence, Instant written, String previous, String hash) {}

    /**
     * Stores events moved from an earlier trail, with their own sequence numbers and legacy links (the caller holds
     * the chain lock). The head is not moved: it already counts them.
     */
    public void insertMigrated(List<MigratedRow> rows) {
        insert(rows.stream().map(row -> new StoredRow(row.entry(), row.sequence(), row.written().truncatedTo(
                ChronoUnit.MICROS), ChainHash.Scheme.LEGACY, row.previous(), row.hash())).toList());
    }

    /** A row as it is written: the entry, where it stands in the chain, and how it was linked. */
    record StoredRow(LedgerEntry entry, long sequence, Instant written, ChainHash.Scheme scheme, String previous,
            String hash) {}

    /** Writes rows already linked (the caller holds the chain lock): one insert per table for all of them. */
    void insert(List<StoredRow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        Map<YearMonth, List<StoredRow>> byMonth = new TreeMap<>();
        rows.forEach(row -> byMonth.computeIfAbsent(YearMonth.from(utc(row.written())), m -> new ArrayList<>())
                .add(row));
        byMonth.values().forEach(this::insertOneMonth);
    }

    private void insertOneMonth(List<StoredRow> rows) {
        Instant month = rows.get(0).written();
        List<Object[]> events = new ArrayList<>(rows.size());
        List<Object[]> references = new ArrayList<>();
        for (StoredRow row : rows) {
            LedgerEntry entry = row.entry();
            OffsetDateTime written = utc(row.written());
            events.add(new Object[] {row.sequence(), written, node, utc(entry.recorded()), entry.type(),
                    entry.subtype(), entry.action(), entry.outcome(), clip(entry.user()), clip(entry.client()),
                    clip(entry.organisation()), clip(entry.roles()), entry.purpose(), row.scheme().code(),
                    row.previous(), row.hash(), entry.json()});
            entry.references().forEach(reference -> references.add(new Object[] {row.sequence(), written,
                    reference.kind().name(), clip(reference.value())}));
        }
        insertAll(schema.storedIn(LedgerSchema.EVENTS, month), EVENT_COLUMNS, events);
        insertAll(schema.storedIn(LedgerSchema.REFERENCES, month), REFERENCE_COLUMNS, references);
    }

    /**
     * Inserts in chunks of a power of two rows (37 rows: 32, 4, 1), so that a table sees at most a few statement
     * shapes, each parsed and planned once per connection and then reused, instead of a new one per batch size.
     */
    private void insertAll(String table, List<String> columns, List<Object[]> rows) {
        int perStatement = Integer.highestOneBit(Math.max(1, MAX_PARAMETERS / columns.size()));
        for (int from = 0; from < rows.size(); ) {
            int size = Math.min(perStatement, Integer.highestOneBit(rows.size() - from));
            List<Object[]> chunk = rows.subList(from, from + size);
            from += size;
            String row = "(" + String.join(", ", columns.stream().map(c -> "?").toList()) + ")";
            String sql = "insert into " + table + " (" + String.join(", ", columns) + ") values "
                    + String.join(", ", java.util.Collections.nCopies(chunk.size(), row));
            Object[] parameters = chunk.stream().flatMap(java.util.Arrays::stream).toArray();
            jdbc.update(sql, parameters);
        }
    }

    record Head(String hash, long sequence, Instant lastWritten) {}

    Head lockHead() {
        return jdbc.queryForObject("select HEAD_HASH, SEQ, LAST_WRITTEN from " + LedgerSchema.HEAD
                + " where ID = 1 for update", (rs, n) -> {
                    OffsetDateTime last = rs.getObject("LAST_WRITTEN", OffsetDateTime.class);
                    return new Head(rs.getString("HEAD_HASH"), rs.getLong("SEQ"),
                            last == null ? null : last.toInstant());
                });
    }

    void moveHead(String hash, long sequence, Instant written) {
        jdbc.update("update " + LedgerSchema.HEAD + " set HEAD_HASH = ?, SEQ = ?, LAST_WRITTEN = ? where ID = 1",
                hash, sequence, utc(written));
    }

    static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /** Index columns are for search; the event's JSON keeps the full value. */
    private static String clip(String value) {
        return CopyRows.clip(value);
    }
}
