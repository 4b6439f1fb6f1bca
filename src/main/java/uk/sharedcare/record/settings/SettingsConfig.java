package uk.sharedcare.record.settings;

import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import uk.sharedcare.record.ConditionalOnSharedCare;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.consent.OrganisationSettingsPolicy;
import uk.sharedcare.record.consent.enforcement.PolicyFile;

/**
 * The settings organisations change at runtime (their sharing, and the agreements admins record for them), and the
 * operations that read and change them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class SettingsConfig {

    @Bean
    SettingsOperations settingsOperations(PolicyFile.Loaded file, OrganisationSharingStore store,
            SharingAgreementStore agreements, AuditTrail trail, AuditEventFactory events) {
        OrganisationSettingsPolicy policy = new OrganisationSettingsPolicy();
        return new SettingsOperations(List.of(
                new SharingSettingsProvider(policy, file.settings(), store, trail, events),
                new SharingAgreementProvider(policy, agreements, trail, events)));
    }

    /** What the settings add to the RestfulServer. */
    public record SettingsOperations(List<Object> providers) {
        public SettingsOperations {
            providers = List.copyOf(providers);
        }
    }
}
