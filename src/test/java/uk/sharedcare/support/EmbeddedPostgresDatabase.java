package uk.sharedcare.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real PostgreSQL server per test JVM, started from the binaries on the test classpath (zonky), so the
 * suite needs neither Docker nor an installed database. Every Spring context in the run shares it.
 * PostgreSQL refuses to run as root, so the suite must run as an ordinary user ({@code .ci/run} arranges that).
 */
public final class EmbeddedPostgresDatabase {

    private static EmbeddedPostgres server;

    private EmbeddedPostgresDatabase() {}

    /** The JDBC URL of the shared test database, starting the server on first use. */
    public static synchronized String jdbcUrl() {
        if (server == null) {
            server = start();
        }
        return server.getJdbcUrl("postgres", "postgres");
    }

    /**
     * The JDBC URL of a database of its own on the shared server, created on first use. For a host whose HAPI
     * settings differ from the record's server (tags stored apart from the resource): the background work of each
     * (HAPI's subscription activation rewrites a Subscription as its own settings read it) must not touch the
     * other's resources.
     */
    public static synchronized String jdbcUrl(String database) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
                Statement statement = connection.createStatement()) {
            try (ResultSet existing = statement.executeQuery(
                    "select 1 from pg_database where datname = '" + database + "'")) {
                if (!existing.next()) {
                    statement.execute("create database " + database);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the test database " + database, e);
        }
        return server.getJdbcUrl("postgres", database);
    }

    private static EmbeddedPostgres start() {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("PostgreSQL cannot run as root: run the tests as an ordinary user"
                    + " (.ci/run does this for you when started as root)");
        }
        try {
            Path dataDirectory = Files.createTempDirectory("scr-test-postgres");
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", "off")
                    .setServerConfig("synchronous_commit", "off")
                    .setServerConfig("full_page_writes", "off")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL server", e);
        }
    }
}
