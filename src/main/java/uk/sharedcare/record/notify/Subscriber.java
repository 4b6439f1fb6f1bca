package uk.sharedcare.record.notify;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes;
import uk.sharedcare.record.notify.CareSubscriptions.PayloadContent;

/**
 * A change-notification subscription as the record delivers it: what it matches, where it goes, and who it is for,
 * as the system client that subscribed was when it did (its organisation and SMART scopes), since every
 * notification is decided for that subscriber.
 *
 * @param subscription {@code Subscription/<id>}
 * @param scopes       the subscriber's SMART scopes, in SMART's own words
 * @param baseUrl      the record's base URL as the subscriber called it, for the notification's full URLs
 * @param eventsSent   notifications delivered so far, the last event number
 */
record Subscriber(String subscription, String resourceType, String criteria, String endpoint, List<String> headers,
        PayloadContent content, String organisation, String subject, String client, String scopes, String baseUrl,
        long eventsSent) {

    Subscriber {
        headers = List.copyOf(headers);
    }

    /** The subscriber asking, now, for direct care: how each of its notifications is decided. */
    AccessContext asking(Instant at) {
        return new AccessContext(subject, client, organisation, Set.of(Role.SYSTEM), Optional.empty(),
                PurposeOfUse.TREAT, Optional.empty(), at, SmartScopes.parse(scopes, Optional.empty()));
    }
}
