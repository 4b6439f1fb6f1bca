package uk.sharedcare.record.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
import uk.sharedcare.record.consent.SubscriptionPolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;

/**
 * The audit trail: every FHIR request recorded as a chained AuditEvent in the record's own database, alerts to
 * GP practices, and their daily digests (scheduled).
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class AuditConfig {

    @Bean
    AuditChain auditChain(FhirContext fhir) {
        return new AuditChain(fhir);
    }

    @Bean
    AuditTrail auditTrail(DataSource dataSource, PlatformTransactionManager transactions, DaoRegistry daos,
            AuditChain chain, @Value("${shared-care.audit.patience:PT30S}") Duration patience) {
        return new AuditTrail(new JdbcTemplate(dataSource), new TransactionTemplate(transactions),
                auditEvents(daos), chain, patience);
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
        return new AuditSpill(directory, fhir, trail);
    }

    @Bean
    RefusalRecorder securityRefusalAudit(AuditTrail trail, AuditEventFactory events, AuditSpill spill) {
        return new SecurityRefusalAudit(trail, events, spill, Clock.systemUTC());
    }

    /** What the audit trail adds to the RestfulServer. */
    @Bean
    AuditRecording auditRecording(AuditTrail trail, AuditSpill spill, AuditEventFactory events, FhirContext fhir,
            DaoRegistry daos, AuditChain chain, PatientStateLoader patients) {
        return new AuditRecording(
                List.of(new AuditInterceptor(trail, spill, events, fhir, new AccessAlerts(daos, patients),
                                daos::isResourceTypeSupported),
                        new AuditDoesNotPinResources()),
                List.of(new VerifyAuditChainProvider(auditEvents(daos), chain),
                        new AccessReportProvider(auditEvents(daos), patients),
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
