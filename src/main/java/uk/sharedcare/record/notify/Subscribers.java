package uk.sharedcare.record.notify;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import uk.sharedcare.record.notify.CareSubscriptions.PayloadContent;

/**
 * The live change-notification subscriptions, in the record's own table, kept in each Subscription write's own
 * transaction: a subscription made on one node governs the next change on every node.
 */
final class Subscribers {

    static final String TABLE = "SCR_CARE_SUBSCRIPTION";
    private static final String COLUMNS = "SUBSCRIPTION, RESOURCE_TYPE, CRITERIA, ENDPOINT, HEADERS, CONTENT,"
            + " ORGANISATION, SUBJECT, CLIENT, SCOPES, BASE_URL, EVENTS_SENT";
    private static final RowMapper<Subscriber> ROW = (rs, n) -> new Subscriber(rs.getString(1), rs.getString(2),
            rs.getString(3), rs.getString(4), headers(rs.getString(5)),
            PayloadContent.of(rs.getString(6)).orElse(PayloadContent.ID_ONLY), rs.getString(7), rs.getString(8),
            rs.getString(9), rs.getString(10), rs.getString(11), rs.getLong(12));

    private final JdbcTemplate jdbc;

    Subscribers(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE + " (SUBSCRIPTION varchar(128) primary key,"
                + " RESOURCE_TYPE varchar(64) not null, CRITERIA varchar(2000) not null, ENDPOINT varchar(2000) not null,"
                + " HEADERS varchar(4000) not null, CONTENT varchar(16) not null, ORGANISATION varchar(256) not null,"
                + " SUBJECT varchar(256) not null, CLIENT varchar(256) not null, SCOPES varchar(2000) not null,"
                + " BASE_URL varchar(2000) not null, EVENTS_SENT bigint not null)");
        jdbc.execute("create index if not exists SCR_CARE_SUBSCRIPTION_TYPE on " + TABLE + " (RESOURCE_TYPE)");
    }

    /** Records a new or changed subscription, keeping its count of delivered events. */
    void save(Subscriber subscriber) {
        int updated = jdbc.update("update " + TABLE + " set RESOURCE_TYPE = ?, CRITERIA = ?, ENDPOINT = ?, HEADERS = ?,"
                + " CONTENT = ?, ORGANISATION = ?, SUBJECT = ?, CLIENT = ?, SCOPES = ?, BASE_URL = ?"
                + " where SUBSCRIPTION = ?", subscriber.resourceType(), subscriber.criteria(), subscriber.endpoint(),
                String.join("\n", subscriber.headers()), subscriber.content().code, subscriber.organisation(),
                subscriber.subject(), subscriber.client(), subscriber.scopes(), subscriber.baseUrl(),
                subscriber.subscription());
        if (updated == 0) {
            jdbc.update("insert into " + TABLE + " (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
                    subscriber.subscription(), subscriber.resourceType(), subscriber.criteria(),
                    subscriber.endpoint(), String.join("\n", subscriber.headers()), subscriber.content().code,
                    subscriber.organisation(), subscriber.subject(), subscriber.client(), subscriber.scopes(),
                    subscriber.baseUrl());
        }
    }

    /** Ends a subscription: its waiting notifications are dropped at delivery. */
    void remove(String subscription) {
        jdbc.update("delete from " + TABLE + " where SUBSCRIPTION = ?", subscription);
    }

    List<Subscriber> on(String resourceType) {
        return jdbc.query("select " + COLUMNS + " from " + TABLE + " where RESOURCE_TYPE = ?", ROW, resourceType);
    }

    /** The subscription, locked until the caller's transaction ends, so its events are numbered one at a time. */
    Optional<Subscriber> lock(String subscription) {
        return jdbc.query("select " + COLUMNS + " from " + TABLE + " where SUBSCRIPTION = ? for update", ROW,
                subscription).stream().findFirst();
    }

    void delivered(String subscription, long eventNumber) {
        jdbc.update("update " + TABLE + " set EVENTS_SENT = ? where SUBSCRIPTION = ?", eventNumber, subscription);
    }

    private static List<String> headers(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : Arrays.asList(joined.split("\n"));
    }
}
