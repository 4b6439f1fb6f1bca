package uk.sharedcare.server;

import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.SchemaMigrator;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema up to the HAPI version on the classpath with HAPI's own migrator, the way
 * HAPI's CLI does, instead of letting Hibernate guess at DDL. Runs before the EntityManagerFactory is built.
 * The migrator takes a lock in its migration table, so several server nodes starting at once are safe.
 */
final class SchemaMigration {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigration.class);

    private final MigrationResult result;

    private SchemaMigration(MigrationResult result) {
        this.result = result;
    }

    static SchemaMigration run(DataSource dataSource, DatabaseKind database) {
        HapiMigrator migrator = new HapiMigrator(
                SchemaMigrator.HAPI_FHIR_MIGRATION_TABLENAME, dataSource, database.migratorDriver());
        migrator.addTasks(new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values()));
        migrator.createMigrationTableIfRequired();
        MigrationResult result = migrator.migrate();
        log.info("Database schema is current: {} migration tasks applied on {}",
                result.succeededTasks.size(), database);
        return new SchemaMigration(result);
    }

    int appliedTaskCount() {
        return result.succeededTasks.size();
    }
}
