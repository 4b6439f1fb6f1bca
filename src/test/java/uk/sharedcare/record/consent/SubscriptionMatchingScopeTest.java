package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.subscription.model.CanonicalSubscription;
import ca.uhn.fhir.jpa.subscription.model.ResourceModifiedMessage;
import ca.uhn.fhir.rest.server.messaging.BaseResourceMessage.OperationTypeEnum;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Subscription;
import org.junit.jupiter.api.Test;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.consent.enforcement.SubscriptionMatchingScope;

/** Only changes an accepted subscription could match go to HAPI's subscription matcher. */
class SubscriptionMatchingScopeTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private final SubscriptionMatchingScope alertsOnly = new SubscriptionMatchingScope(FHIR, new SubscriptionPolicy() {
        @Override
        public boolean accepts(AccessContext who, Subscription subscription) {
            return true;
        }

        @Override
        public String offered(AccessContext who) {
            return "alerts";
        }

        @Override
        public Set<String> matchableTypes() {
            return Set.of("Communication");
        }
    });

    @Test
    void auditEventsAreNotQueuedForMatchingWhenNoSubscriptionCouldMatchThem() {
        assertThat(alertsOnly.mayMatchASubscription(change(new AuditEvent(), "AuditEvent/a1"))).isFalse();
    }

    @Test
    void alertCommunicationsAreMatchedSoPracticesReceiveThem() {
        assertThat(alertsOnly.mayMatchASubscription(change(new Communication(), "Communication/c1"))).isTrue();
    }

    @Test
    void subscriptionsThemselvesAlwaysPassSoHapiCanRegisterThem() {
        SubscriptionMatchingScope none = new SubscriptionMatchingScope(FHIR, SubscriptionPolicy.NONE);

        assertThat(none.mayMatchASubscription(change(new Subscription(), "Subscription/s1"))).isTrue();
        assertThat(none.mayMatchASubscription(change(new Communication(), "Communication/c1"))).isFalse();
    }

    private static ResourceModifiedMessage change(Resource resource, String id) {
        resource.setId(id);
        return new ResourceModifiedMessage(FHIR, resource, OperationTypeEnum.CREATE);
    }

    @Test
    void hapiDeliversForAlertSubscriptionsButNeverForTheRecordsOwnChangeNotifications() {
        assertThat(alertsOnly.deliveredByHapi(subscriptionOn("Communication?category=x"))).isTrue();
        assertThat(alertsOnly.deliveredByHapi(subscriptionOn("CarePlan?patient=Patient/1"))).isFalse();
        assertThat(alertsOnly.deliveredByHapi(subscriptionOn("Observation"))).isFalse();
    }

    private static CanonicalSubscription subscriptionOn(String criteria) {
        CanonicalSubscription subscription = new CanonicalSubscription();
        subscription.setCriteriaString(criteria);
        return subscription;
    }
}
