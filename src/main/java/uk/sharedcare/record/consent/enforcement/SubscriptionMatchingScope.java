package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.subscription.model.CanonicalSubscription;
import ca.uhn.fhir.jpa.subscription.model.ResourceModifiedMessage;
import java.util.Set;
import uk.sharedcare.record.consent.SubscriptionPolicy;

/**
 * Hands HAPI's subscription matcher only the changes an accepted subscription could match (hook
 * {@code SUBSCRIPTION_RESOURCE_MODIFIED}, on the storage layer's interceptor service, so the server's own writes are
 * covered too). Without it every stored resource, each request's AuditEvent included, is queued in the database and
 * matched against the subscriptions, inside the audit trail's lock, for nothing: the record accepts no subscription
 * that could match an AuditEvent. Changes to Subscriptions themselves always pass, since that is how HAPI registers
 * them. And HAPI delivers only for subscriptions on those types: the record's change notifications, on any other type,
 * are decided and delivered by the record itself, never by HAPI around the policy.
 */
@Interceptor
public final class SubscriptionMatchingScope {

    private final FhirContext fhir;
    private final Set<String> matchable;

    public SubscriptionMatchingScope(FhirContext fhir, SubscriptionPolicy subscriptions) {
        this.fhir = fhir;
        this.matchable = Set.copyOf(subscriptions.matchableTypes());
    }

    /** @return false to stop HAPI queueing this change for subscription matching */
    @Hook(Pointcut.SUBSCRIPTION_RESOURCE_MODIFIED)
    public boolean mayMatchASubscription(ResourceModifiedMessage change) {
        String type = change.getResourceType(fhir);
        return "Subscription".equals(type) || matchable.contains(type);
    }

    /** @return false to stop HAPI delivering for a subscription it does not serve */
    @Hook(Pointcut.SUBSCRIPTION_BEFORE_DELIVERY)
    public boolean deliveredByHapi(CanonicalSubscription subscription) {
        return SubscriptionPolicy.criteriaType(subscription.getCriteriaString()).filter(matchable::contains)
                .isPresent();
    }
}
