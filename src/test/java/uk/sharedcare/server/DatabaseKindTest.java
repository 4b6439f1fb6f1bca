package uk.sharedcare.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseKindTest {

    @Test
    void postgresqlUrlSelectsHapisPostgresDialect() {
        DatabaseKind kind = DatabaseKind.ofJdbcUrl("jdbc:postgresql://db.example:5432/record");

        assertThat(kind).isEqualTo(DatabaseKind.POSTGRES);
        assertThat(kind.hibernateDialect()).isEqualTo("ca.uhn.fhir.jpa.model.dialect.HapiFhirPostgresDialect");
    }

    @Test
    void h2UrlSelectsHapisH2Dialect() {
        assertThat(DatabaseKind.ofJdbcUrl("jdbc:h2:file:./data/shared-care-record").hibernateDialect())
                .isEqualTo("ca.uhn.fhir.jpa.model.dialect.HapiFhirH2Dialect");
    }

    @Test
    void otherDatabasesAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> DatabaseKind.ofJdbcUrl("jdbc:mysql://localhost/record"))
                .hasMessageContaining("Unsupported database URL 'jdbc:mysql://localhost/record'")
                .hasMessageContaining("PostgreSQL");
    }
}
