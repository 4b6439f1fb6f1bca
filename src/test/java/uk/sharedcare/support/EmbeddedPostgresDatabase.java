package uk.sharedcare.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
