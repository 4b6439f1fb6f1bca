package uk.sharedcare.support;

import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** Alerts are delivered from the record's outbox by a worker: what accesses owed is delivered within seconds. */
public final class AlertOutbox {

    private AlertOutbox() {}

    /** Waits (at most 30 s) until every alert owed so far has been delivered as a Communication. */
    public static void awaitDelivered(DataSource dataSource) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline && jdbc.queryForObject(
                "select count(*) from SCR_ALERT_OUTBOX where DELIVERED is null", Integer.class) > 0) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
