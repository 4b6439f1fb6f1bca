package uk.sharedcare.bench;

import ca.uhn.fhir.context.FhirContext;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.AuditLedger;
import uk.sharedcare.record.audit.ledger.LedgerSchema;

/**
 * The audit ledger's own append ceiling: the record's {@link AuditTrail} and {@link AuditLedger}, as the server
 * builds them, over a database of their own on the benchmark's PostgreSQL (fsync on), with many threads appending
 * at once, each encoding and digesting its own event as a request thread does. No HTTP, no FHIR request around
 * it: what the ledger can store, which the whole-request ceiling ({@link AuditCeiling}) cannot show because each
 * request costs far more than its record. Events are stored, counted in the database, and their count must match
 * the appends answered.
 */
final class LedgerCeiling {

    static final String DATABASE = "ledger_ceiling";
    /** This process has not run the ledger's code before: shorter warm-ups measure the JIT compiler. */
    private static final int MIN_WARMUP_SECONDS = 15;

    /**
     * @param threads appending threads
     * @param appended appends answered in the measured window
     * @param stored ledger rows counted in the database after the window (the warm-up's included)
     * @param appendedPerSecond the ceiling
     * @param meanMillis mean time from append to its commit, per thread
     */
    record Result(int threads, double seconds, long appended, long stored, long storedExpected,
            double appendedPerSecond, double meanMillis) {}

    private final Database database;
    private final BenchSettings settings;
    private final FhirContext fhir = FhirContext.forR4Cached();

    LedgerCeiling(Database database, BenchSettings settings) {
        this.database = database;
        this.settings = settings;
    }

    Result run() throws Exception {
        database.createDatabase(DATABASE);
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(database.jdbcUrl(DATABASE));
        pool.setUsername("postgres");
        pool.setMaximumPoolSize(4);
        try (HikariDataSource dataSource = new HikariDataSource(pool)) {
            JdbcTemplate jdbc = new JdbcTemplate(dataSource);
            LedgerSchema schema = new LedgerSchema(jdbc);
            try (AuditLedger ledger = new AuditLedger(jdbc,
                    new TransactionTemplate(new DataSourceTransactionManager(dataSource)), schema, Clock.systemUTC(),
                    Duration.ofSeconds(30))) {
                AuditTrail trail = new AuditTrail(ledger, new AuditEventJson(fhir));
                long warm = window(trail, Math.max(settings.warmupSeconds(), MIN_WARMUP_SECONDS), new AtomicLong());
                AtomicLong nanos = new AtomicLong();
                long start = System.nanoTime();
                long appended = window(trail, settings.auditSeconds(), nanos);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long stored = count(dataSource);
                return new Result(settings.auditClients(), elapsed, appended, stored, warm + appended,
                        appended / elapsed, appended == 0 ? 0 : nanos.get() / 1e6 / appended);
            }
        }
    }

    private long window(AuditTrail trail, int seconds, AtomicLong nanos) throws Exception {
        return UntilDeadline.run(settings.auditClients(), seconds, (thread, n) -> {
            AuditEvent event = readOfAnObservation(thread, n);
            long before = System.nanoTime();
            trail.append(event);
            nanos.addAndGet(System.nanoTime() - before);
        });
    }

    /** An event shaped like the record's own for a clinician's read: agents, purpose, patient and entity. */
    private static AuditEvent readOfAnObservation(int thread, long n) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"));
        event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", "read", "read"));
        event.setAction(AuditEvent.AuditEventAction.R);
        event.setRecorded(new Date());
        event.setOutcome(AuditEvent.AuditEventOutcome._0);
        AuditEvent.AuditEventAgentComponent user = event.addAgent().setRequestor(true);
        user.setWho(new Reference().setDisplay("nurse-okafor-" + thread));
        user.getWho().getIdentifier().setSystem("https://sharedcarerecord.uk/fhir/Id/user").setValue("nurse-" + thread);
        user.addRole().addCoding(new Coding("https://sharedcarerecord.uk/fhir/CodeSystem/role", "nurse", null));
        user.addPurposeOfUse().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "TREAT",
                "treatment"));
        AuditEvent.AuditEventAgentComponent organisation = event.addAgent().setRequestor(false);
        organisation.getWho().getIdentifier().setSystem("https://fhir.nhs.uk/Id/ods-organization-code").setValue("RZ9");
        event.getSource().setSite("shared-care-record").getObserver().setDisplay("ledger ceiling");
        String patient = "Patient/p" + (thread * 1_000_003L + n) % 175_000;
        event.addEntity().setWhat(new Reference(patient))
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"));
        event.addEntity().setWhat(new Reference("Observation/o" + thread + "-" + n))
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
        return event;
    }

    private static long count(HikariDataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("select count(*) from " + LedgerSchema.EVENTS)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
