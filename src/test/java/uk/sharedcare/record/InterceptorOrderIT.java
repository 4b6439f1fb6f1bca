package uk.sharedcare.record;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import uk.sharedcare.record.hooks.InterceptorOrder;
import uk.sharedcare.support.PostgresFhirServerTest;

/**
 * Every interceptor of the plugin is on the server, with the order {@link InterceptorOrder} gives it: the
 * enforcement steps run in the order the policy's design needs (rule 9 before anything changes a write, the guard
 * before data is read, pages made before consent obligations and the audit record of what was shown).
 */
@PostgresFhirServerTest
class InterceptorOrderIT {

    private static final Map<String, Integer> EXPECTED = Map.ofEntries(
            entry("WriteAuthorisation", InterceptorOrder.WRITE_AUTHORISATION),
            entry("ReferralWrites", InterceptorOrder.REFERRALS),
            entry("WriteValidation", InterceptorOrder.WRITE_VALIDATION),
            entry("RequestExposureGuard", InterceptorOrder.REQUEST_GUARD),
            entry("SmallSearches", InterceptorOrder.SMALL_SEARCHES),
            entry("VisiblePages", InterceptorOrder.VISIBLE_PAGES),
            entry("PatientStatePrefetch", InterceptorOrder.PATIENT_STATES),
            entry("ConsentInterceptor", InterceptorOrder.CONSENT),
            entry("SearchOwners", InterceptorOrder.SEARCH_OWNERS),
            entry("AuditInterceptor", InterceptorOrder.AUDIT),
            entry("SharedCareCapabilities", InterceptorOrder.UNORDERED),
            entry("CustodianAttribution", InterceptorOrder.UNORDERED),
            entry("RequestLogsWithoutIdentifiers", InterceptorOrder.UNORDERED),
            entry("SensitiveDataLabeller", InterceptorOrder.UNORDERED),
            entry("UniformNotFound", InterceptorOrder.UNORDERED),
            entry("ProfileCapabilities", InterceptorOrder.UNORDERED),
            entry("ValidateOperationProfiles", InterceptorOrder.UNORDERED),
            entry("AuditDoesNotPinResources", InterceptorOrder.UNORDERED),
            entry("AuditTrailIsReadOnly", InterceptorOrder.UNORDERED),
            entry("AuditEventCapabilities", InterceptorOrder.UNORDERED));

    @Autowired
    RestfulServer server;

    @Autowired
    SharedCareInterceptorRegistrar registrar;

    @Test
    void everyInterceptorOfThePluginIsOnTheServerWithTheOrderItsStepNeeds() {
        Map<String, Integer> registered = registrar.registered().stream().collect(Collectors.toMap(
                interceptor -> interceptor.getClass().getSimpleName(),
                interceptor -> interceptor.getClass().getAnnotation(Interceptor.class).order()));

        assertThat(server.getInterceptorService().getAllRegisteredInterceptors())
                .containsAll(registrar.registered());
        assertThat(registered).isEqualTo(EXPECTED);
    }
}
