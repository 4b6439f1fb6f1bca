package uk.sharedcare.record.notify;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Subscription;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes.Permission;
import uk.sharedcare.record.consent.SubscriptionPolicy;

/**
 * The change notifications an organisation's system may subscribe to: a REST hook on changes of the record types
 * the policy governs, for direct care, with criteria HAPI can match in memory, to an endpoint the deployment
 * allows. What each notification carries is decided at delivery ({@link NotificationDelivery}), so the criteria
 * need not be limited to the subscriber's patients: a change it may not see is never sent.
 */
final class CareSubscriptions implements SubscriptionPolicy {

    /** The Subscriptions R5 Backport IG's extension on {@code Subscription.channel.payload}. */
    static final String PAYLOAD_CONTENT =
            "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-payload-content";
    static final String MIME_TYPE = "application/fhir+json";

    /** Types about patients whose every read the policy decides; not consents, alerts, the trail or the directory. */
    static final Set<String> NOTIFIABLE = Set.of("Patient", "CarePlan", "EpisodeOfCare", "CareTeam", "Encounter",
            "Condition", "Observation", "AllergyIntolerance", "MedicationStatement", "DocumentReference", "Flag",
            "ServiceRequest", "Task");

    /** What a notification carries: the Backport IG's codes. */
    enum PayloadContent {
        ID_ONLY("id-only"),
        FULL_RESOURCE("full-resource");

        final String code;

        PayloadContent(String code) {
            this.code = code;
        }

        static Optional<PayloadContent> of(String code) {
            for (PayloadContent content : values()) {
                if (content.code.equals(code)) {
                    return Optional.of(content);
                }
            }
            return Optional.empty();
        }
    }

    private final List<String> allowedEndpoints;
    private final Predicate<String> matchableInMemory;

    /**
     * @param allowedEndpoints  URL prefixes an endpoint must start with; none: any {@code https} URL
     * @param matchableInMemory whether HAPI's in-memory matcher can evaluate the criteria
     */
    CareSubscriptions(List<String> allowedEndpoints, Predicate<String> matchableInMemory) {
        this.allowedEndpoints = List.copyOf(allowedEndpoints);
        this.matchableInMemory = matchableInMemory;
    }

    @Override
    public boolean accepts(AccessContext who, Subscription subscription) {
        Optional<String> type = resourceType(subscription);
        Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
        return who.hasRole(Role.SYSTEM) && !who.isPatient() && who.purpose() == PurposeOfUse.TREAT
                && type.filter(NOTIFIABLE::contains).isPresent()
                && (who.scopes().allows(Permission.READ, type.get()) || who.scopes().allows(Permission.SEARCH,
                        type.get()))
                && channel.getType() == Subscription.SubscriptionChannelType.RESTHOOK
                && endpointAllowed(channel.getEndpoint())
                && MIME_TYPE.equals(channel.getPayload())
                && content(subscription).isPresent()
                && matchable(subscription.getCriteria());
    }

    /** HAPI's matcher refuses some criteria by throwing; any it cannot evaluate is simply not offered. */
    private boolean matchable(String criteria) {
        try {
            return matchableInMemory.test(matchUrl(criteria));
        } catch (RuntimeException unmatchable) {
            return false;
        }
    }

    /** The criteria as HAPI's matcher takes them: {@code CarePlan} for every CarePlan is {@code CarePlan?}. */
    static String matchUrl(String criteria) {
        return criteria.indexOf('?') < 0 ? criteria + "?" : criteria;
    }

    /** A subscription the record delivers itself: on one of the notifiable types (HAPI serves only alerts). */
    static boolean isChangeNotification(Subscription subscription) {
        return resourceType(subscription).filter(NOTIFIABLE::contains).isPresent();
    }

    static Optional<String> resourceType(Subscription subscription) {
        return SubscriptionPolicy.criteriaType(subscription.getCriteria());
    }

    /** The payload content the subscription asks for; id-only when it names none. */
    static Optional<PayloadContent> content(Subscription subscription) {
        Extension asked = subscription.getChannel().getPayloadElement().getExtensionByUrl(PAYLOAD_CONTENT);
        if (asked == null) {
            return Optional.of(PayloadContent.ID_ONLY);
        }
        return asked.getValue() == null ? Optional.empty() : PayloadContent.of(asked.getValue().primitiveValue());
    }

    /** The endpoint as a plain URL (no user info, which could make a prefix name another host) with an allowed start. */
    boolean endpointAllowed(String endpoint) {
        if (endpoint == null) {
            return false;
        }
        try {
            URI uri = new URI(endpoint);
            if (uri.getRawUserInfo() != null || uri.getHost() == null || uri.getRawFragment() != null) {
                return false;
            }
        } catch (java.net.URISyntaxException malformed) {
            return false;
        }
        return allowedEndpoints.isEmpty() ? endpoint.startsWith("https://")
                : allowedEndpoints.stream().anyMatch(endpoint::startsWith);
    }

    @Override
    public String offered(AccessContext who) {
        return "an organisation's system client may subscribe, for direct care (TREAT), to changes of "
                + String.join(", ", new TreeSet<>(NOTIFIABLE)) + " by REST hook to "
                + (allowedEndpoints.isEmpty() ? "an https endpoint" : "an endpoint starting "
                        + String.join(" or ", allowedEndpoints))
                + ", payload " + MIME_TYPE + " with content id-only or full-resource (extension " + PAYLOAD_CONTENT
                + "), and criteria a search on that type the server can match in memory (no chains, no _has)";
    }

    /** HAPI matches and delivers none of these: the record does, deciding each by the policy. */
    @Override
    public Set<String> matchableTypes() {
        return Set.of();
    }
}
