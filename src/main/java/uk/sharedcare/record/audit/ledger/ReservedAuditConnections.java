package uk.sharedcare.record.audit.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Connections of the record's database that request load cannot take from the audit trail. Requests and HAPI's own
 * search threads share the host's pool; when they exhaust it, an audit writer waiting in the same queue could not
 * record what they did. The host's pool is wrapped so that the audit writer's thread draws from a small pool of its
 * own, to the same database with the same settings, while every other thread keeps the host's pool. The audit
 * writer stores through HAPI (JPA), which takes its connections from the host's data source, so the choice is made
 * by thread rather than by handing the writer another data source.
 */
public final class ReservedAuditConnections implements BeanPostProcessor, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ReservedAuditConnections.class);
    private static final ThreadLocal<Boolean> AUDIT_WRITER = ThreadLocal.withInitial(() -> false);
    private final java.util.List<HikariDataSource> created = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final int reserved;

    public ReservedAuditConnections(int reserved) {
        this.reserved = reserved;
    }

    /** Marks the calling thread as the audit writer, for its whole life. */
    static void reserveForThisThread() {
        AUDIT_WRITER.set(true);
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
        if (!(bean instanceof HikariDataSource pool) || bean instanceof RoutingByThread) {
            return bean;
        }
        HikariConfig config = new HikariConfig();
        pool.copyStateTo(config);
        config.setPoolName((pool.getPoolName() == null ? name : pool.getPoolName()) + "-audit");
        config.setMaximumPoolSize(reserved);
        config.setMinimumIdle(1);
        log.info("The audit trail has {} database connections of its own", reserved);
        HikariDataSource own = new HikariDataSource(config);
        created.add(own);
        return new RoutingByThread(pool, own);
    }

    /** The audit writer's pools close with the context, whatever becomes of the data source wrapping them. */
    @Override
    public void destroy() {
        created.forEach(HikariDataSource::close);
    }

    /** The host's pool for every thread but the audit writer, which has its own. */
    static final class RoutingByThread extends DelegatingDataSource implements AutoCloseable {

        private final HikariDataSource audit;
        private final HikariDataSource requests;

        RoutingByThread(HikariDataSource requests, HikariDataSource audit) {
            super(requests);
            this.requests = requests;
            this.audit = audit;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return AUDIT_WRITER.get() ? audit.getConnection() : requests.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return AUDIT_WRITER.get() ? audit.getConnection(username, password)
                    : requests.getConnection(username, password);
        }

        /**
         * Closes both pools when the context closes (Spring infers {@code close} as the data source's destroy
         * method). Deliberately not a {@code DisposableBean}: HAPI's schema migrator destroys any such data source
         * it was given once it has migrated.
         */
        @Override
        public void close() {
            audit.close();
            requests.close();
        }
    }
}
