package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Period;
import java.util.List;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Communication;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.access.IdentityProperties;
import uk.sharedcare.record.access.RefusalRecorder;
import uk.sharedcare.record.audit.ledger.AuditEventJson;
import uk.sharedcare.record.audit.ledger.AuditLedger;
import uk.sharedcare.record.audit.ledger.LedgerQueries;
import uk.sharedcare.record.audit.ledger.LedgerSchema;
import uk.sharedcare.record.audit.ledger.ReservedAuditConnections;
import uk.sharedcare.record.consent.SubscriptionPolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService;
import uk.sharedcare.record.ConditionalOnSharedCare;

/**
 * The audit trail: every FHIR request recorded in the audit ledger (the record's own tables, apart from HAPI's),
 * served back as read-only AuditEvents; alerts to GP practices through an outbox, and their daily digests.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
@EnableScheduling
public class AuditConfig {

    @Bean
    AuditEventJson auditEventJson(FhirContext fhir) {
        return new AuditEventJson(fhir);
    }

    @Bean
    LedgerSchema ledgerSchema(DataSource dataSource) {
        return new LedgerSchema(new JdbcTemplate(dataSource));
    }

    @Bean(destroyMethod = "close")
    AuditLedger auditLedger(DataSource dataSource, PlatformTransactionManager transactions, LedgerSchema schema,
            @Value("${shared-care.audit.patience:PT30S}") Duration patience) {
        return new AuditLedger(new JdbcTemplate(dataSource), new TransactionTemplate(transactions), schema,
                Clock.systemUTC(), patience);
    }

    @Bean
    AuditTrail auditTrail(AuditLedger ledger, AuditEventJson json) {
        return new AuditTrail(ledger, json);
    }

    @Bean
    LedgerQueries ledgerQueries(DataSource dataSource, PlatformTransactionManager transactions) {
        TransactionTemplate readOnly = new TransactionTemplate(transactions);
        readOnly.setReadOnly(true);
        return new LedgerQueries(new JdbcTemplate(dataSource), readOnly);
    }

    @Bean
    AlertOutbox alertOutbox(DataSource dataSource, PlatformTransactionManager transactions, DaoRegistry daos,
            LedgerSchema schema) {
        return new AlertOutbox(new JdbcTemplate(dataSource), new TransactionTemplate(transactions),
                communications(daos), schema.partitioned());
    }

    @Bean
    LedgerRetention ledgerRetention(AuditLedger ledger, LedgerSchema schema,
            @Value("${shared-care.audit.retention:P8Y}") Period retention) {
        return new LedgerRetention(ledger, schema, retention, Clock.systemUTC());
    }

    @Bean
    LedgerMigration ledgerMigration(DaoRegistry daos, AuditLedger ledger, AuditEventJson json, DataSource dataSource) {
        return new LedgerMigration(auditEvents(daos), communications(daos), ledger, json,
                new JdbcTemplate(dataSource));
    }

    @Bean
    AuditEventFactory auditEventFactory(IdentityProperties identity) {
        return new AuditEventFactory(identity.issuerUri());
    }

    @Bean
    DailyDigests dailyDigests(DaoRegistry daos, AuditTrail trail) {
        return new DailyDigests(communications(daos), trail);
    }

    @Bean
    SubscriptionPolicy alertSubscriptions() {
        return new AlertSubscriptions();
    }

    /** The audit writer's own database connections ({@code shared-care.audit.reserved-connections}). */
    @Bean
    static ReservedAuditConnections reservedAuditConnections(
            @Value("${shared-care.audit.reserved-connections:3}") int reserved) {
        return new ReservedAuditConnections(reserved);
    }

    @Bean
    AuditSpill auditSpill(@Value("${shared-care.audit.spill-directory:data/audit-spill}") Path directory,
            FhirContext fhir, AuditTrail trail) {
        return new AuditSpill(directory, fhir, trail, Clock.systemUTC());
    }

    @Bean
    RefusalRecorder securityRefusalAudit(AuditTrail trail, AuditEventFactory events, AuditSpill spill) {
        return new SecurityRefusalAudit(trail, events, spill, Clock.systemUTC());
    }

    /** What the audit trail adds to the RestfulServer. */
    @Bean
    AuditRecording auditRecording(AuditTrail trail, AuditSpill spill, AuditEventFactory events, FhirContext fhir,
            DaoRegistry daos, PatientStateLoader patients, AlertOutbox outbox, LedgerQueries ledger,
            AuditEventJson json, SharedCareConsentService consent) {
        return new AuditRecording(
                List.of(new AuditInterceptor(trail, spill, events, fhir, new AccessAlerts(outbox, patients),
                                daos::isResourceTypeSupported),
                        new AuditDoesNotPinResources(), new AuditTrailIsReadOnly(),
                        new AuditEventCapabilities()),
                List.of(new AuditEventProvider(ledger, json, consent),
                        new VerifyAuditChainProvider(ledger),
                        new AccessReportProvider(ledger, json, patients, new DataHolders(daos, fhir)),
                        new AlertOperationsProvider(communications(daos))));
    }

    @SuppressWarnings("unchecked")
    private static IFhirResourceDao<AuditEvent> auditEvents(DaoRegistry daos) {
        return daos.getResourceDao(AuditEvent.class);
    }

    @SuppressWarnings("unchecked")
    private static IFhirResourceDao<Communication> communications(DaoRegistry daos) {
        return daos.getResourceDao(Communication.class);
    }

    /** The audit interceptors and operations, for the plugin's registrar. */
    public record AuditRecording(List<Object> interceptors, List<Object> providers) {
        public AuditRecording {
            interceptors = List.copyOf(interceptors);
            providers = List.copyOf(providers);
        }
    }
}
