package uk.sharedcare.server;

import ca.uhn.fhir.jpa.migrate.DriverTypeEnum;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect;
import ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect;

/** The databases the record runs on, told apart by JDBC URL, with the HAPI dialect and migrator driver each needs. */
enum DatabaseKind {
    H2("jdbc:h2:", HapiFhirH2Dialect.class.getName(), DriverTypeEnum.H2_EMBEDDED),
    POSTGRES("jdbc:postgresql:", HapiFhirPostgresDialect.class.getName(), DriverTypeEnum.POSTGRES_9_4);

    private final String urlPrefix;
    private final String hibernateDialect;
    private final DriverTypeEnum migratorDriver;

    DatabaseKind(String urlPrefix, String hibernateDialect, DriverTypeEnum migratorDriver) {
        this.urlPrefix = urlPrefix;
        this.hibernateDialect = hibernateDialect;
        this.migratorDriver = migratorDriver;
    }

    static DatabaseKind ofJdbcUrl(String jdbcUrl) {
        for (DatabaseKind kind : values()) {
            if (jdbcUrl != null && jdbcUrl.startsWith(kind.urlPrefix)) {
                return kind;
            }
        }
        throw new IllegalStateException("Unsupported database URL '" + jdbcUrl
                + "': the Shared Care Record runs on PostgreSQL (production) or H2 (first-run default)");
    }

    String hibernateDialect() {
        return hibernateDialect;
    }

    DriverTypeEnum migratorDriver() {
        return migratorDriver;
    }
}
