package uk.sharedcare.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The PostgreSQL server both servers under test share: zonky's embedded binaries (a test dependency), on
 * loopback, with PostgreSQL's default durability (fsync and synchronous commit on) so audit commits cost what
 * they would in production. zonky itself starts PostgreSQL with {@code -F} (fsync off) and
 * {@code synchronous_commit=off}; the settings below, given after those, turn both back on ({@link #durability()}
 * reads what the server really runs with, for the report). A fresh data directory per run (under --work), or one
 * kept from run to run ({@code --keep-database}), with the population slices already loaded recorded in a
 * database of the benchmark's own, so that a population too big to load in one sitting is loaded over several.
 *
 * <p>pg_stat_statements is preloaded (zonky's binaries ship it) so the benchmark can count the SQL statements the
 * servers send: {@code track_utility} is off, so BEGIN, COMMIT and SET are not counted as statements (commits are
 * counted apart, from {@code pg_stat_database}).
 */
final class Database implements AutoCloseable {

    /**
     * What counts as one stored audit record. Today every AuditEvent is a HAPI resource; when the trail moves to a
     * ledger table (issue 13), this query is the one line to change, e.g. {@code select count(*) from
     * scr_audit_ledger}.
     */
    static final String AUDIT_RECORDS_STORED = "select count(*) from scr_audit_ledger";

    private final EmbeddedPostgres postgres;
    private final Path directory;

    private Database(EmbeddedPostgres postgres, Path directory) {
        this.postgres = postgres;
        this.directory = directory;
    }

    private static final String PROGRESS_DATABASE = "bench_progress";

    static Database start(Path directory) {
        return start(directory, false);
    }

    /** @param keep reuse the data directory if it holds a database already, and leave it in place afterwards */
    static Database start(Path directory, boolean keep) {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("PostgreSQL refuses to run as root; bench/run switches to a plain user");
        }
        try {
            Files.createDirectories(directory);
            Database database = new Database(EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(!keep)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "512MB")
                    .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                    .setServerConfig("pg_stat_statements.max", "20000")
                    .setServerConfig("pg_stat_statements.track", "top")
                    .setServerConfig("pg_stat_statements.track_utility", "off")
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start(), directory);
            database.execute("create extension if not exists pg_stat_statements");
            database.prepareProgress();
            return database;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start PostgreSQL", e);
        }
    }

    String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    String jdbcUrl(String databaseName) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + databaseName;
    }

    /** A new, empty database of this name on the same server (dropped first if it exists). */
    void createDatabase(String databaseName) {
        execute("drop database if exists " + databaseName);
        execute("create database " + databaseName);
    }

    private void prepareProgress() {
        if (queryLong("select count(*) from pg_database where datname = '" + PROGRESS_DATABASE + "'") == 0) {
            execute("create database " + PROGRESS_DATABASE);
        }
        progress("create table if not exists loaded_slice (seed bigint not null, first_patient int not null,"
                + " end_patient int not null, primary key (seed, first_patient, end_patient))");
    }

    /** The slices of this seed's population already loaded into this database, as {@code first-end}. */
    Set<String> loadedSlices(long seed) {
        Set<String> loaded = new HashSet<>();
        try (Connection connection = postgres.getDatabase("postgres", PROGRESS_DATABASE).getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "select first_patient, end_patient from loaded_slice where seed = ?")) {
            query.setLong(1, seed);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    loaded.add(rows.getInt(1) + "-" + rows.getInt(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the loaded slices", e);
        }
        return loaded;
    }

    /** Records that patients {@code first} to {@code end} (exclusive) of this seed's population are loaded. */
    void recordLoaded(long seed, int first, int end) {
        progress("insert into loaded_slice values (" + seed + ", " + first + ", " + end + ") on conflict do nothing");
    }

    private void progress(String sql) {
        try (Connection connection = postgres.getDatabase("postgres", PROGRESS_DATABASE).getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Benchmark statement failed: " + sql, e);
        }
    }

    /** The durability settings the server runs with, as PostgreSQL reports them. */
    String durability() {
        return "fsync " + queryString("show fsync") + ", synchronous_commit " + queryString("show synchronous_commit")
                + ", shared_buffers " + queryString("show shared_buffers") + ", " + queryString("select version()")
                .replaceFirst(" on .*", "");
    }

    /** The postmaster's process id, from its pid file: its children are the backends serving the servers. */
    long postmasterPid() {
        try {
            return Long.parseLong(Files.readAllLines(directory.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Forgets every statement counted so far. */
    void resetStatementCounts() {
        execute("select pg_stat_statements_reset()");
    }

    /** Statements executed since the last reset (the benchmark's own reading of pg_stat_statements excluded). */
    StatementCount statementsSinceReset() {
        return new StatementCount(
                queryLong("select coalesce(sum(calls), 0) from pg_stat_statements"
                        + " where query not ilike '%pg_stat_statements%'"),
                queryLong("select dealloc from pg_stat_statements_info"));
    }

    /**
     * The statements called most since the last reset, most first, each with its calls, mean time and text
     * (whitespace collapsed, cut at 160 characters): where a window's SQL went.
     */
    List<ServerCost.TopStatement> topStatements(int limit) {
        String sql = "select calls, mean_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
                + " from pg_stat_statements where query not ilike '%pg_stat_statements%'"
                + " order by calls desc limit " + limit;
        List<ServerCost.TopStatement> top = new ArrayList<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            while (rows.next()) {
                top.add(new ServerCost.TopStatement(rows.getLong(1), rows.getDouble(2), rows.getString(3)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Benchmark query failed: " + sql, e);
        }
        return top;
    }

    /**
     * @param statements calls summed over every statement pg_stat_statements kept
     * @param entriesEvicted statement entries dropped since the reset because more distinct statements were seen
     *     than {@code pg_stat_statements.max}: when not 0, {@code statements} is an undercount
     */
    record StatementCount(long statements, long entriesEvicted) {}

    /** Transactions committed in the database so far (statistics are flushed about once a second). */
    long commits() {
        return queryLong("select xact_commit from pg_stat_database where datname = current_database()");
    }

    /** Alerts written to the outbox and not yet delivered as Communications. */
    long alertsWaiting() {
        return queryLong("select count(*) from scr_alert_outbox where delivered is null");
    }

    /** Audit records stored so far, however the trail stores them: see {@link #AUDIT_RECORDS_STORED}. */
    long auditRecordsStored() {
        return queryLong(AUDIT_RECORDS_STORED);
    }

    private String queryString(String sql) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Benchmark query failed: " + sql, e);
        }
    }

    private long queryLong(String sql) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Benchmark query failed: " + sql, e);
        }
    }

    private void execute(String sql) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("Benchmark statement failed: " + sql, e);
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
