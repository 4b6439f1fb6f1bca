package uk.sharedcare.record.settings;

import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import uk.sharedcare.record.ConditionalOnSharedCare;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.consent.OrganisationSettingsPolicy;
import uk.sharedcare.record.consent.enforcement.PolicyFile;

/** The settings organisations change at runtime (their sharing), and the operations that read and change them. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class SettingsConfig {

    @Bean
    SettingsOperations settingsOperations(PolicyFile.Loaded file, OrganisationSharingStore store, AuditTrail trail,
            AuditEventFactory events) {
        return new SettingsOperations(List.of(new SharingSettingsProvider(new OrganisationSettingsPolicy(),
                file.settings(), store, trail, events)));
    }

    /** What the settings add to the RestfulServer. */
    public record SettingsOperations(List<Object> providers) {
        public SettingsOperations {
            providers = List.copyOf(providers);
        }
    }
}
