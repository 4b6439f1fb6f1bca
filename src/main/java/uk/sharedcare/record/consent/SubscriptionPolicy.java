package uk.sharedcare.record.consent;

import java.util.Set;
import org.hl7.fhir.r4.model.Subscription;
import uk.sharedcare.record.access.AccessContext;

/**
 * Which Subscriptions a caller may write. HAPI delivers whatever a subscription matches without asking the sharing
 * policy, so none are accepted unless a capability offers a safe kind (the audit trail offers practices a REST hook
 * for their own access alerts).
 */
public interface SubscriptionPolicy {

    SubscriptionPolicy NONE = new SubscriptionPolicy() {
        @Override
        public boolean accepts(AccessContext who, Subscription subscription) {
            return false;
        }

        @Override
        public String offered(AccessContext who) {
            return "none are offered";
        }

        @Override
        public Set<String> matchableTypes() {
            return Set.of();
        }
    };

    boolean accepts(AccessContext who, Subscription subscription);

    /** What the caller could subscribe to, in words, for the refusal. */
    String offered(AccessContext who);

    /** The resource types an accepted subscription can match; changes to no other type need matching. */
    Set<String> matchableTypes();
}
