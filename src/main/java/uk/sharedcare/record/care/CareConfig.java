package uk.sharedcare.record.care;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import uk.sharedcare.record.ConditionalOnSharedCare;
import uk.sharedcare.record.consent.SharingPolicy;
import uk.sharedcare.record.consent.WritePolicy;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.settings.SharingAgreementStore;

/**
 * Coordination of care between organisations: starting care of a patient by NHS number and date of birth, and
 * referrals with their status.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class CareConfig {

    @Bean
    CareOperations careOperations(SharingPolicy policy, SharingAgreementStore agreements, DaoRegistry daos,
            PatientStateLoader patients, FhirContext fhir) {
        WritePolicy writes = new WritePolicy(policy);
        return new CareOperations(List.of(new StartOfCareProvider(writes, agreements, daos)),
                List.of(new ReferralWrites(writes, patients, daos, fhir)));
    }

    /** What care coordination adds to the RestfulServer. */
    public record CareOperations(List<Object> providers, List<Object> interceptors) {
        public CareOperations {
            providers = List.copyOf(providers);
            interceptors = List.copyOf(interceptors);
        }
    }
}
