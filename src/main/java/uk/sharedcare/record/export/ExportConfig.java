package uk.sharedcare.record.export;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.coordinator.WorkChannelMessageListener;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.batch2.model.JobWorkNotification;
import ca.uhn.fhir.broker.api.IChannelProducer;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.ConditionalOnSharedCare;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditSink;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;

/**
 * The pseudonymised extract for secondary use (rule 10): Bulk Data {@code $export}, the extract command and
 * the monthly schedule, all over one extract runner.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
@EnableConfigurationProperties(ExtractProperties.class)
public class ExportConfig {

    private static final String WORK_CHANNEL_PRODUCER = "batch2ProcessingChannelProducer";

    @Bean
    ExtractRunner extractRunner(DaoRegistry daos, DataSource dataSource, PatientStateLoader patients,
            SecondaryUsePolicy policy, FhirContext fhir) {
        return new ExtractRunner(daos, new JdbcTemplate(dataSource), patients, policy, fhir);
    }

    /** The extract's batch2 job, registered by HAPI's batch2 with every job definition bean of the server. */
    @Bean
    JobDefinition<ExtractJobParameters> extractJobDefinition(ExtractRunner runner, ExtractService extracts,
            ChunkClaims claims) {
        return ExtractJobDefinition.of(runner, extracts, claims);
    }

    /** This node's share of the extract's chunks, taken from the database rather than batch2's in-JVM channel. */
    @Bean(initMethod = "start", destroyMethod = "close")
    ChunkClaims chunkClaims(DataSource dataSource, WorkChannelMessageListener batch2Worker,
            IJobMaintenanceService maintenance, ExtractProperties properties) {
        return new ChunkClaims(new ChunkLeases(new JdbcTemplate(dataSource)), batch2Worker, maintenance,
                properties.chunks(), Clock.systemUTC());
    }

    /** Holds the extract's chunk notifications back from batch2's channel, for {@link ChunkClaims} to share out. */
    @Bean
    static BeanPostProcessor withheldExtractNotifications() {
        return new BeanPostProcessor() {
            @Override
            @SuppressWarnings("unchecked")
            public Object postProcessAfterInitialization(Object bean, String name) {
                // by the name of BaseBatch2Config's bean method: HAPI's in-JVM producer does not know its channel
                if (bean instanceof IChannelProducer<?> producer && WORK_CHANNEL_PRODUCER.equals(name)) {
                    return new WithheldExtractNotifications((IChannelProducer<JobWorkNotification>) producer);
                }
                return bean;
            }
        };
    }

    @Bean
    ExtractService extractService(ExtractRunner runner, SecondaryUsePolicy policy, DataSource dataSource,
            ExtractProperties properties, AuditSink trail,
            AuditEventFactory events, IJobCoordinator batch2, IJobMaintenanceService maintenance) {
        ExtractService service = new ExtractService(runner, policy,
                new ExtractJobs(new JdbcTemplate(dataSource)), properties,
                new ExtractAudit(trail, events), batch2, maintenance, Clock.systemUTC());
        service.failAbandoned();
        return service;
    }

    @Bean
    ScheduledExtracts scheduledExtracts(ExtractService extracts, ExtractProperties properties,
            SecondaryUsePolicy policy) {
        return new ScheduledExtracts(extracts, properties, policy, Clock.systemUTC());
    }

    /** What the extract adds to the RestfulServer. */
    @Bean
    BulkExport bulkExport(ExtractService extracts, SecondaryUsePolicy policy, FhirContext fhir) {
        return new BulkExport(List.of(new BulkExportProvider(extracts, policy, fhir, Clock.systemUTC())));
    }

    public record BulkExport(List<Object> providers) {
        public BulkExport {
            providers = List.copyOf(providers);
        }
    }
}
