package uk.sharedcare.record.audit.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.support.EmbeddedPostgresDatabase;

/**
 * Two nodes' audit ledgers on one PostgreSQL database, appending at the same time. Each node first links a batch
 * to the head its own last append left; whenever the other node has appended since, that head has moved, and the
 * node must find that out and link to the head as it now is, or the chain forks.
 */
class LedgerAcrossNodesIT {

    private static final int THREADS_PER_NODE = 6;
    private static final int APPENDS_PER_THREAD = 60;
    private final FhirContext fhir = FhirContext.forR4Cached();

    @Test
    void twoNodesAppendingAtOnceStoreEveryEventOnceInOneUnbrokenChain() throws Exception {
        String url = EmbeddedPostgresDatabase.jdbcUrl("ledger_nodes_" + UUID.randomUUID().toString().substring(0, 8));
        List<Long> sequences = new ArrayList<>();
        try (Node first = new Node(url); Node second = new Node(url)) {
            ExecutorService threads = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
            List<Future<List<Long>>> appended = new ArrayList<>();
            for (int t = 0; t < THREADS_PER_NODE; t++) {
                appended.add(threads.submit(first.appends("first-node")));
                appended.add(threads.submit(second.appends("second-node")));
            }
            for (Future<List<Long>> each : appended) {
                sequences.addAll(each.get());
            }
            threads.shutdown();

            int total = 2 * THREADS_PER_NODE * APPENDS_PER_THREAD;
            assertThat(sequences).hasSize(total).doesNotHaveDuplicates();
            JdbcTemplate jdbc = first.jdbc;
            assertThat(jdbc.queryForObject("select count(*) from " + LedgerSchema.EVENTS, Long.class))
                    .isEqualTo(total);
            List<String> writers = jdbc.queryForList("select AGENT_USER from " + LedgerSchema.EVENTS
                    + " order by SEQ", String.class);
            assertThat(changesOfWriter(writers)).as("the nodes' appends interleaved, each finding the head moved")
                    .isGreaterThan(2);
            ChainVerification.Result chain = new ChainVerification(new LedgerQueries(jdbc,
                    new TransactionTemplate(new DataSourceTransactionManager(jdbc.getDataSource()))))
                    .verify(Optional.empty());
            assertThat(chain.problem()).isEmpty();
            assertThat(chain.intact()).isTrue();
            assertThat(chain.checked()).isEqualTo(total);
        }
    }

    @Test
    void nodesTakingTurnsLockTheHeadAtOnceAndANodeAppendingAloneWritesEachEventInOneStatement() {
        String url = EmbeddedPostgresDatabase.jdbcUrl("ledger_turns_" + UUID.randomUUID().toString().substring(0, 8));
        try (Node first = new Node(url); Node second = new Node(url)) {
            first.trail.append(readBy("first-node", 0));
            second.trail.append(readBy("second-node", 0));

            long beforeTurns = first.statements.get() + second.statements.get();
            int turns = 10;
            for (int n = 1; n <= turns; n++) {
                first.trail.append(readBy("first-node", n));
                second.trail.append(readBy("second-node", n));
            }
            assertThat(first.statements.get() + second.statements.get() - beforeTurns)
                    .as("each append locks and reads the head, then writes: no try at a head already moved")
                    .isEqualTo(2L * 2 * turns);

            long beforeAlone = first.statements.get();
            int alone = 10;
            for (int n = 0; n < alone; n++) {
                first.trail.append(readBy("first-node", turns + 1 + n));
            }
            assertThat(first.statements.get() - beforeAlone)
                    .as("two locked appends find the other node quiet; from then on one statement each")
                    .isEqualTo(2 + 2 + (alone - 2));
        }
    }

    private static int changesOfWriter(List<String> writers) {
        int changes = 0;
        for (int i = 1; i < writers.size(); i++) {
            if (!writers.get(i).equals(writers.get(i - 1))) {
                changes++;
            }
        }
        return changes;
    }

    /** A node's ledger, as the server builds it, with a connection pool of its own. */
    private final class Node implements AutoCloseable {

        final HikariDataSource pool;
        /** Statements this node sent to PostgreSQL. */
        final AtomicLong statements = new AtomicLong();
        final JdbcTemplate jdbc;
        final AuditLedger ledger;
        final AuditTrail trail;

        Node(String url) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setUsername("postgres");
            config.setPassword("postgres");
            config.setMaximumPoolSize(3);
            pool = new HikariDataSource(config);
            DataSource counted = countingStatements(pool, statements);
            jdbc = new JdbcTemplate(counted);
            ledger = new AuditLedger(jdbc, new TransactionTemplate(new DataSourceTransactionManager(counted)),
                    new LedgerSchema(jdbc), Clock.systemUTC(), Duration.ofSeconds(30));
            trail = new AuditTrail(ledger, new AuditEventJson(fhir));
        }

        Callable<List<Long>> appends(String user) {
            return () -> {
                List<Long> sequences = new ArrayList<>();
                for (int n = 0; n < APPENDS_PER_THREAD; n++) {
                    String id = trail.append(readBy(user, n));
                    sequences.add(Long.parseLong(id.substring("AuditEvent/".length())));
                }
                return sequences;
            };
        }

        private static DataSource countingStatements(DataSource pool, AtomicLong statements) {
            return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(),
                    new Class<?>[] {DataSource.class}, (source, method, arguments) -> {
                        Object result = invoke(pool, method, arguments);
                        if (!(result instanceof Connection connection)) {
                            return result;
                        }
                        return Proxy.newProxyInstance(Connection.class.getClassLoader(),
                                new Class<?>[] {Connection.class}, (proxy, call, callArguments) -> {
                                    if (call.getName().startsWith("prepare")
                                            || call.getName().equals("createStatement")) {
                                        statements.incrementAndGet();
                                    }
                                    return invoke(connection, call, callArguments);
                                });
                    });
        }

        private static Object invoke(Object target, java.lang.reflect.Method method, Object[] arguments)
                throws Throwable {
            try {
                return method.invoke(target, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public void close() {
            ledger.close();
            pool.close();
        }
    }

    private static AuditEvent readBy(String user, int n) {
        AuditEvent event = new AuditEvent();
        event.getType().setSystem("http://terminology.hl7.org/CodeSystem/audit-event-type").setCode("rest");
        event.setAction(AuditEvent.AuditEventAction.R);
        event.setRecorded(new Date());
        event.setOutcome(AuditEvent.AuditEventOutcome._0);
        event.addAgent().setRequestor(true).getWho().getIdentifier().setValue(user);
        event.addEntity().setWhat(new Reference("Patient/p" + n));
        event.addEntity().setWhat(new Reference("Observation/o" + n));
        return event;
    }
}
