package uk.sharedcare.record.audit.ledger;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.stream.IntStream;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends to the audit ledger. Each append moves the chain head row, links its events to the head it moved from,
 * and writes them, all in one transaction: the head's row lock serialises appends from every thread and every
 * server node, and an event is either stored and chained or not at all. The events arrive built, encoded and
 * digested by their request threads; under the lock only the links are computed, and a batch is written at once
 * ({@link AuditGroupCommit}). On PostgreSQL a node first tries the head its own last append left, in one statement
 * that writes only if that is still the head, and otherwise locks and reads the head ({@code SELECT ... FOR UPDATE})
 * and links to that; while other nodes are appending too, it locks and reads the head straight away. An append made inside a caller's own transaction joins that transaction instead.
 */
public final class AuditLedger implements AutoCloseable {

    /** An event to append, and what to write with it, in its transaction, once its sequence number is known. */
    record Appending(LedgerEntry entry, LongConsumer alsoRecord) {}

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
    /** The head as this node's last append left it: where its next append most likely links to. */
    private final AtomicReference<Head> lastHead = new AtomicReference<>();
    /**
     * Whether the head this node last locked had been moved by another node since this node's own append. While
     * nodes take turns, trying the head this node left would only fail first, so the next append locks at once.
     */
    private volatile boolean othersAppending;

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
        Appending appending = new Appending(entry, alsoRecord);
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
            Head last = lastHead.get();
            if (schema.partitioned() && last != null && !othersAppending) {
                Optional<List<Long>> appended = appendTo(last, batch, this::appendIfUnlockedHeadIs);
                if (appended.isPresent()) {
                    return appended.get();
                }
                batch.forEach(AuditGroupCommit.Pending::release);
            }
            Head locked = lockHead();
            othersAppending = !locked.equals(last);
            return appendTo(locked, batch, schema.partitioned() ? this::appendIfUnlockedHeadIs : this::insertAndMove)
                    .orElseThrow(() -> new IllegalStateException("The audit chain head moved while this node"
                            + " held its lock"));
        });
    }

    /**
     * Claims the events whose callers are still waiting, links them to {@code head} and writes them with
     * {@code writer}; if it finds {@code head} is not the head, writes nothing and returns empty. Otherwise runs
     * each event's {@code alsoRecord} and returns the sequence numbers in batch order (null for an event not
     * claimed, whose caller reported it unrecorded).
     */
    private Optional<List<Long>> appendTo(Head head, List<AuditGroupCommit.Pending<Appending>> batch,
            BiPredicate<Head, Linked> writer) {
        List<Boolean> claimed = batch.stream().map(AuditGroupCommit.Pending::claim).toList();
        if (!claimed.contains(true)) {
            return Optional.of(claimed.stream().map(stored -> (Long) null).toList());
        }
        Linked linked = link(IntStream.range(0, batch.size()).filter(claimed::get)
                .mapToObj(i -> batch.get(i).item().entry()).toList(), head);
        if (!writer.test(head, linked)) {
            return Optional.empty();
        }
        Iterator<StoredRow> rows = linked.rows().iterator();
        List<Long> sequences = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            Long sequence = claimed.get(i) ? rows.next().sequence() : null;
            if (sequence != null) {
                batch.get(i).item().alsoRecord().accept(sequence);
            }
            sequences.add(sequence);
        }
        lastHead.set(linked.head());
        return Optional.of(sequences);
    }

    /** A batch's rows, linked to the chain, and the head they leave. */
    private record Linked(List<StoredRow> rows, Head head) {}

    /** H2: the rows inserted and the head moved, under the lock already held. */
    private boolean insertAndMove(Head locked, Linked linked) {
        insert(linked.rows());
        moveHead(linked.head().hash(), linked.head().sequence(), linked.head().lastWritten());
        return true;
    }

    private Linked link(List<LedgerEntry> entries, Head head) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant written = head.lastWritten() == null || now.isAfter(head.lastWritten()) ? now : head.lastWritten();
        long sequence = head.sequence();
        String hash = head.hash();
        List<StoredRow> rows = new ArrayList<>(entries.size());
        for (LedgerEntry entry : entries) {
            sequence++;
            String previous = hash;
            hash = ChainHash.linkDigest(previous, entry.digest());
            rows.add(new StoredRow(entry, sequence, written, ChainHash.Scheme.DIGEST, previous, hash));
        }
        return new Linked(rows, new Head(hash, sequence, written));
    }

    /**
     * PostgreSQL, one statement: if {@code expected} is the head and no other transaction holds its lock, takes the
     * lock, moves the head to the batch's last link and writes the batch's rows (each column an array, so the
     * statement is the same for every batch size); otherwise writes nothing, without waiting (another node's
     * append in progress, or one since this node's last). True if the rows were written. With the lock already
     * held by this transaction, only the head's content decides.
     */
    private boolean appendIfUnlockedHeadIs(Head expected, Linked linked) {
        List<StoredRow> rows = linked.rows();
        Instant written = linked.head().lastWritten();
        String sql = "with HEAD_FREE as (select ID from " + LedgerSchema.HEAD + " where ID = 1 and SEQ = ?"
                + " and HEAD_HASH = ? for update skip locked),"
                + " HEAD_MOVED as (update " + LedgerSchema.HEAD + " set HEAD_HASH = ?, SEQ = ?, LAST_WRITTEN = ?"
                + " where ID in (select ID from HEAD_FREE) returning SEQ),"
                + " EVENTS_WRITTEN as (insert into " + schema.storedIn(LedgerSchema.EVENTS, written) + " ("
                + String.join(", ", EVENT_COLUMNS) + ") select E.SEQ, ?, ?, E.RECORDED, E.EVENT_TYPE, E.SUBTYPE,"
                + " E.ACTION, E.OUTCOME, E.AGENT_USER, E.AGENT_CLIENT, E.AGENT_ORG, E.AGENT_ROLES, E.PURPOSE, ?,"
                + " E.PREV_HASH, E.HASH, E.EVENT_JSON from unnest(?::bigint[], ?::timestamptz[], ?::varchar[],"
                + " ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[],"
                + " ?::varchar[], ?::varchar[], ?::varchar[], ?::varchar[]) as E(SEQ, RECORDED, EVENT_TYPE, SUBTYPE,"
                + " ACTION, OUTCOME, AGENT_USER, AGENT_CLIENT, AGENT_ORG, AGENT_ROLES, PURPOSE, PREV_HASH, HASH,"
                + " EVENT_JSON) where exists (select 1 from HEAD_MOVED)),"
                + " REFERENCES_WRITTEN as (insert into " + schema.storedIn(LedgerSchema.REFERENCES, written)
                + " (SEQ, WRITTEN, KIND, REF) select R.SEQ, ?, R.KIND, R.REF from unnest(?::bigint[], ?::varchar[],"
                + " ?::varchar[]) as R(SEQ, KIND, REF) where exists (select 1 from HEAD_MOVED))"
                + " select count(*) from HEAD_MOVED";
        List<Long> referenceSequences = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> references = new ArrayList<>();
        for (StoredRow row : rows) {
            for (LedgerEntry.LedgerReference reference : row.entry().references()) {
                referenceSequences.add(row.sequence());
                kinds.add(reference.kind().name());
                references.add(clip(reference.value()));
            }
        }
        OffsetDateTime at = utc(written);
        Integer moved = jdbc.queryForObject(sql, Integer.class, expected.sequence(), expected.hash(),
                linked.head().hash(), linked.head().sequence(), at,
                at, node, ChainHash.Scheme.DIGEST.code(),
                column(rows, StoredRow::sequence, Long[]::new),
                column(rows, row -> utc(row.entry().recorded()).toString(), String[]::new),
                column(rows, row -> row.entry().type(), String[]::new),
                column(rows, row -> row.entry().subtype(), String[]::new),
                column(rows, row -> row.entry().action(), String[]::new),
                column(rows, row -> row.entry().outcome(), String[]::new),
                column(rows, row -> clip(row.entry().user()), String[]::new),
                column(rows, row -> clip(row.entry().client()), String[]::new),
                column(rows, row -> clip(row.entry().organisation()), String[]::new),
                column(rows, row -> clip(row.entry().roles()), String[]::new),
                column(rows, row -> row.entry().purpose(), String[]::new),
                column(rows, StoredRow::previous, String[]::new),
                column(rows, StoredRow::hash, String[]::new),
                column(rows, row -> row.entry().json(), String[]::new),
                at, referenceSequences.toArray(Long[]::new), kinds.toArray(String[]::new),
                references.toArray(String[]::new));
        return moved != null && moved == 1;
    }

    private static <T> T[] column(List<StoredRow> rows, Function<StoredRow, T> value, IntFunction<T[]> array) {
        return rows.stream().map(value).toArray(array);
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
        return value == null || value.length() <= 256 ? value : value.substring(0, 256);
    }
}
