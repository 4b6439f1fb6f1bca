package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.rest.server.interceptor.consent.ConsentInterceptor;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.SharingPolicy;
import uk.sharedcare.record.consent.SubscriptionPolicy;
import uk.sharedcare.record.consent.WritePolicy;
import uk.sharedcare.record.patientstate.PatientStateCache;
import uk.sharedcare.record.patientstate.PolicyInputWrites;
import uk.sharedcare.record.patientstate.StateStamps;
import uk.sharedcare.record.settings.OrganisationSharingStore;
import uk.sharedcare.record.settings.SharingAgreementStore;
import uk.sharedcare.record.ConditionalOnSharedCare;

/**
 * Consent and purpose-of-use enforcement: the policy from {@code shared-care-policy.yaml}, the patient-state
 * loader and its stamped cache, and the interceptors that enforce the policy's decisions on every access path.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class ConsentConfig {

    @Bean
    PolicyFile.Loaded sharingPolicyFile(
            @Value("${shared-care.policy-file:classpath:shared-care-policy.yaml}") Resource file) {
        return PolicyFile.read(file);
    }

    @Bean
    SharingPolicy sharingPolicy(PolicyFile.Loaded file) {
        return new SharingPolicy(file.settings());
    }

    @Bean
    SecondaryUsePolicy secondaryUsePolicy(PolicyFile.Loaded file) {
        return new SecondaryUsePolicy(file.settings(), file.secondaryUse());
    }

    @Bean
    PatientStateLoader patientStateLoader(DaoRegistry daos, PolicyFile.Loaded file, DataSource dataSource,
            SearchBuilderFactory<JpaPid> searchBuilders, IHapiTransactionService transactions,
            PartitionSettings partitions, OrganisationSharingStore sharing, SharingAgreementStore agreements) {
        return new PatientStateLoader(daos, file.codes(), new PolicyInputsQuery(new JdbcTemplate(dataSource),
                searchBuilders, transactions, partitions, file.codes()), sharing, agreements);
    }

    @Bean
    OrganisationSharingStore organisationSharingStore(DataSource dataSource, StateStamps stamps) {
        return new OrganisationSharingStore(new JdbcTemplate(dataSource), stamps);
    }

    @Bean
    SharingAgreementStore sharingAgreementStore(DataSource dataSource, StateStamps stamps, PolicyFile.Loaded file) {
        return new SharingAgreementStore(new JdbcTemplate(dataSource), stamps, file.agreementRequired());
    }

    @Bean
    StateStamps stateStamps(DataSource dataSource) {
        return new StateStamps(new JdbcTemplate(dataSource));
    }

    @Bean
    PatientStateCache patientStateCache(StateStamps stamps, PatientStateLoader loader,
            @Value("${shared-care.patient-state-cache.maximum-size:100000}") long maximumSize) {
        return new PatientStateCache(stamps, (patient, stamp) -> loader.load(patient, stamp.everyPatient()),
                maximumSize);
    }

    /**
     * On the storage layer's interceptor service, which every write passes through (the RestfulServer's sees
     * only HTTP requests), so that no change to a policy input leaves a stamp behind.
     */
    @Bean
    PolicyInputWrites policyInputWrites(StateStamps stamps, DataSource dataSource, FhirContext fhir,
            PolicyFile.Loaded file, IInterceptorService storageInterceptors) {
        PolicyInputWrites writes = new PolicyInputWrites(stamps, dataSource,
                resource -> PatientCompartment.patientsOf(fhir, resource), file.codes());
        storageInterceptors.registerInterceptor(writes);
        return writes;
    }

    @Bean
    SharedCareConsentService sharedCareConsentService(SharingPolicy policy, PatientStateCache patients,
            FhirContext fhir) {
        return new SharedCareConsentService(policy, patients, fhir);
    }

    /** On the storage layer's interceptor service: HAPI's subscription matcher listens there. */
    @Bean
    SubscriptionMatchingScope subscriptionMatchingScope(FhirContext fhir, IInterceptorService storageInterceptors,
            ObjectProvider<SubscriptionPolicy> subscriptions) {
        SubscriptionMatchingScope scope = new SubscriptionMatchingScope(fhir,
                SubscriptionPolicy.anyOf(subscriptions.orderedStream().toList()));
        storageInterceptors.registerInterceptor(scope);
        return scope;
    }

    @Bean
    SearchOwners searchOwners(DataSource dataSource) {
        return new SearchOwners(new JdbcTemplate(dataSource), Clock.systemUTC());
    }

    @Bean
    VisibleOffsets visibleOffsets(DataSource dataSource) {
        return new VisibleOffsets(new JdbcTemplate(dataSource), Clock.systemUTC());
    }

    /** The interceptors enforcing the policy, for the plugin's registrar to put on the RestfulServer. */
    @Bean
    ConsentEnforcement consentEnforcement(SharedCareConsentService consent, SharingPolicy policy,
            PatientStateLoader patients, DaoRegistry daos, FhirContext fhir, PolicyFile.Loaded file,
            ObjectProvider<SubscriptionPolicy> subscriptions, SearchOwners searches, VisibleOffsets offsets,
            IFhirSystemDao<?, ?> systemDao) {
        SmallSearches smallSearches = new SmallSearches(daos);
        return new ConsentEnforcement(
                List.of(
                        new RequestExposureGuard(daos, consent, searches),
                        new PatientStatePrefetch(consent),
                        searches,
                        smallSearches,
                        new VisiblePages(consent, offsets, fhir, new FullHistory(daos, systemDao), smallSearches),
                        new ConsentInterceptor(consent),
                        new WriteAuthorisation(new WritePolicy(policy), patients,
                                SubscriptionPolicy.anyOf(subscriptions.orderedStream().toList()), fhir),
                        new SensitiveDataLabeller(fhir, file.codes()),
                        new UniformNotFound()),
                List.of(new ExplainAccessProvider(daos, consent)));
    }

    /**
     * What enforcement adds to the RestfulServer: interceptors, in no particular order (each declares its own),
     * and the {@code $explain-access} operation.
     */
    public record ConsentEnforcement(List<Object> interceptors, List<Object> providers) {
        public ConsentEnforcement {
            interceptors = List.copyOf(interceptors);
            providers = List.copyOf(providers);
        }
    }
}
