package uk.sharedcare.record.consent;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Subscription;
import uk.sharedcare.record.access.AccessContext;

/**
 * Which Subscriptions a caller may write. HAPI delivers whatever a subscription matches without asking the sharing
 * policy, so none are accepted unless a capability offers a safe kind: the audit trail offers practices a REST hook
 * for their own access alerts, which HAPI delivers; change notifications offer organisations' systems REST hooks
 * that the record delivers itself, deciding each one by the sharing policy.
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

    /** Accepts what any of the policies accepts; none accepts nothing. */
    static SubscriptionPolicy anyOf(List<SubscriptionPolicy> policies) {
        if (policies.isEmpty()) {
            return NONE;
        }
        List<SubscriptionPolicy> all = List.copyOf(policies);
        return new SubscriptionPolicy() {
            @Override
            public boolean accepts(AccessContext who, Subscription subscription) {
                return all.stream().anyMatch(policy -> policy.accepts(who, subscription));
            }

            @Override
            public String offered(AccessContext who) {
                return all.stream().map(policy -> policy.offered(who)).collect(Collectors.joining("; "));
            }

            @Override
            public Set<String> matchableTypes() {
                return all.stream().flatMap(policy -> policy.matchableTypes().stream()).collect(Collectors.toSet());
            }
        };
    }

    /** What the caller could subscribe to, in words, for the refusal. */
    String offered(AccessContext who);

    /**
     * The resource types HAPI's own matcher and delivery serve for an accepted subscription; changes to no other type
     * need matching by HAPI, and HAPI delivers nothing for a subscription on another type.
     */
    Set<String> matchableTypes();

    /** The resource type a subscription's criteria are on ({@code CarePlan} for {@code CarePlan?patient=...}). */
    static Optional<String> criteriaType(String criteria) {
        if (criteria == null || criteria.isBlank()) {
            return Optional.empty();
        }
        int query = criteria.indexOf('?');
        return Optional.of(query < 0 ? criteria : criteria.substring(0, query));
    }
}
