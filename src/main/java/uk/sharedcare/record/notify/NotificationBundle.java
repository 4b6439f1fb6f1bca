package uk.sharedcare.record.notify;

import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * One notification as the Subscriptions R5 Backport IG shapes it for R4: a {@code history} Bundle whose first entry
 * is the subscription's status (a Parameters) and whose second is the changed resource, by its full URL alone
 * ({@code id-only}) or with the resource as the subscriber would read it ({@code full-resource}); a deletion by its
 * URL alone, whatever the payload content, with method DELETE. Its event number
 * counts the notifications delivered to this subscription, so a withheld one leaves no gap.
 */
final class NotificationBundle {

    static final String STATUS_PROFILE =
            "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4";

    private NotificationBundle() {}

    static Bundle of(Subscriber subscriber, NotificationOutbox.Owed change, long eventNumber,
            Optional<IBaseResource> shown, Instant now) {
        String fullUrl = subscriber.baseUrl() + "/" + change.resource() + "/_history/" + change.version();
        Parameters status = new Parameters();
        status.setId(UUID.randomUUID().toString());
        status.getMeta().addProfile(STATUS_PROFILE);
        status.addParameter().setName("subscription").setValue(new Reference(subscriber.baseUrl() + "/"
                + subscriber.subscription()));
        status.addParameter("status", new CodeType("active"));
        status.addParameter("type", new CodeType("event-notification"));
        status.addParameter("events-since-subscription-start", new StringType(Long.toString(eventNumber)));
        Parameters.ParametersParameterComponent event = status.addParameter().setName("notification-event");
        event.addPart().setName("event-number").setValue(new StringType(Long.toString(eventNumber)));
        event.addPart().setName("timestamp").setValue(new InstantType(Date.from(change.changed())));
        event.addPart().setName("focus").setValue(new Reference(fullUrl));

        Bundle notification = new Bundle().setType(Bundle.BundleType.HISTORY);
        notification.setId(UUID.randomUUID().toString());
        notification.setTimestamp(Date.from(now));
        Bundle.BundleEntryComponent statusEntry = notification.addEntry().setFullUrl("urn:uuid:" + status.getId())
                .setResource(status);
        statusEntry.getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(subscriber.subscription() + "/$status");
        statusEntry.getResponse().setStatus("200");
        Bundle.BundleEntryComponent focus = notification.addEntry().setFullUrl(fullUrl);
        String type = change.resource().substring(0, change.resource().indexOf('/'));
        switch (change.change()) {
            case CREATED -> {
                shown.ifPresent(resource -> focus.setResource((Resource) resource));
                focus.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
                focus.getResponse().setStatus("201");
            }
            case UPDATED -> {
                shown.ifPresent(resource -> focus.setResource((Resource) resource));
                focus.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(change.resource());
                focus.getResponse().setStatus("200");
            }
            case DELETED -> {
                // Nothing of the resource is sent: it is no longer in the record.
                focus.setFullUrl(subscriber.baseUrl() + "/" + change.resource());
                focus.getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(change.resource());
                focus.getResponse().setStatus("204");
            }
        }
        return notification;
    }
}
