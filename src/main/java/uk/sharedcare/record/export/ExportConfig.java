package uk.sharedcare.record.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditSink;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.ConditionalOnSharedCare;

/**
 * The pseudonymised extract for secondary use (rule 10): Bulk Data {@code $export}, the extract command and
 * the monthly schedule, all over one extract runner.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
@EnableConfigurationProperties(ExtractProperties.class)
public class ExportConfig {

    /** Extracts are long and heavy: one at a time per node, queued behind each other. */
    @Bean
    ThreadPoolTaskExecutor extractExecutor() {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(1);
        executor.setMaxPoolSize(1);
        executor.setThreadNamePrefix("extract-");
        executor.setWaitForTasksToCompleteOnShutdown(false);
        return executor;
    }

    @Bean
    ExtractService extractService(DaoRegistry daos, PatientStateLoader patients, SecondaryUsePolicy policy,
            FhirContext fhir, DataSource dataSource, ExtractProperties properties, AuditSink trail,
            AuditEventFactory events, ThreadPoolTaskExecutor extractExecutor) {
        ExtractService service = new ExtractService(new ExtractRunner(daos, patients, policy, fhir), policy,
                new ExtractJobs(new JdbcTemplate(dataSource)), properties,
                new ExtractAudit(trail, events), extractExecutor, Clock.systemUTC());
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
