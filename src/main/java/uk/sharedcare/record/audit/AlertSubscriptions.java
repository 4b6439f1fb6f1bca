package uk.sharedcare.record.audit;

import java.util.Set;
import org.hl7.fhir.r4.model.Subscription;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.SubscriptionPolicy;

/**
 * The Subscription HAPI itself delivers: a GP practice (a GP or the practice's system client) asking for
 * its own access alerts by REST hook, with exactly the criteria {@link AccessAlerts#subscriptionCriteria}.
 */
final class AlertSubscriptions implements SubscriptionPolicy {

    @Override
    public boolean accepts(AccessContext who, Subscription subscription) {
        return (who.hasRole(Role.GP) || who.hasRole(Role.SYSTEM))
                && subscription.getChannel().getType() == Subscription.SubscriptionChannelType.RESTHOOK
                && AccessAlerts.subscriptionCriteria(who.organisation()).equals(subscription.getCriteria());
    }

    @Override
    public Set<String> matchableTypes() {
        return Set.of("Communication");
    }

    @Override
    public String offered(AccessContext who) {
        return "a GP practice may subscribe by REST hook to its own access alerts, criteria "
                + AccessAlerts.subscriptionCriteria(who.organisation());
    }
}
