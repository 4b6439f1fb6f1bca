package uk.sharedcare.record.notify;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.audit.AccessRecord;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditSink;
import uk.sharedcare.record.consent.Reason;
import uk.sharedcare.record.consent.enforcement.PatientCompartment;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService.Disclosure;
import uk.sharedcare.record.notify.NotificationOutbox.Outcome;
import uk.sharedcare.record.notify.NotificationOutbox.Owed;
import uk.sharedcare.record.outbox.DeliveryNudge;

/**
 * Works off the outbox on any node, one notification per transaction: decides it for the subscriber at delivery,
 * with the same policy and each patient's current state as a read now would, so a dissent recorded after the change
 * withholds it; puts it on the audit trail (a disclosure, or a withheld notification with its deciding rule) before
 * anything is sent; then posts it to the REST hook, and on failure tries again later ({@link RetrySchedule}). The
 * row stays locked while it is delivered, so two nodes never send it at once; a node that dies mid-delivery leaves
 * it to the next sweep, which may send it again (delivery is at least once; the event number tells repeats).
 */
final class NotificationDelivery implements AutoCloseable {

    /** The audit event subtype of a change notification (the restful-interaction codes have none). */
    static final Coding SUBTYPE = new Coding("https://sharedcarerecord.uk/fhir/CodeSystem/audit-event-subtype",
            "change-notification", "Change notification (subscription REST hook)");
    private static final Logger log = LoggerFactory.getLogger(NotificationDelivery.class);

    private final NotificationOutbox outbox;
    private final Subscribers subscribers;
    private final TransactionTemplate transactions;
    private final DaoRegistry daos;
    private final SharedCareConsentService consent;
    private final AuditSink trail;
    private final AuditEventFactory events;
    private final FhirContext fhir;
    private final HttpClient http;
    private final Duration timeout;
    private final RetrySchedule retries;
    private final Clock clock;
    private final DeliveryNudge nudge = new DeliveryNudge("notification-delivery", this::deliverDue);

    NotificationDelivery(NotificationOutbox outbox, Subscribers subscribers, TransactionTemplate transactions,
            DaoRegistry daos, SharedCareConsentService consent, AuditSink trail, AuditEventFactory events,
            FhirContext fhir, Duration timeout, RetrySchedule retries, Clock clock) {
        this.outbox = outbox;
        this.subscribers = subscribers;
        this.transactions = transactions;
        this.daos = daos;
        this.consent = consent;
        this.trail = trail;
        this.events = events;
        this.fhir = fhir;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
        this.retries = retries;
        this.clock = clock;
    }

    /** Delivers soon on this node, once the change that owes notifications has committed. */
    void nudgeAfterCommit() {
        nudge.afterCommit();
    }

    /** Delivers every notification due; every two seconds, and at once after a change owes one. */
    @Scheduled(fixedDelay = 2_000, initialDelay = 2_000)
    void deliverDue() {
        try {
            while (Boolean.TRUE.equals(transactions.execute(status -> deliverNext()))) {
                // next notification
            }
        } catch (RuntimeException failed) {
            log.warn("Could not deliver waiting notifications yet; the next sweep tries again", failed);
        }
    }

    private boolean deliverNext() {
        Instant now = clock.instant();
        Optional<Owed> next = outbox.nextDue(now);
        if (next.isEmpty()) {
            return false;
        }
        Owed owed = next.get();
        int attempt = owed.attempts() + 1;
        Optional<Subscriber> subscriber = subscribers.lock(owed.subscription());
        Optional<IBaseResource> version = subscriber.flatMap(s -> readVersion(owed));
        if (subscriber.isEmpty() || version.isEmpty()) {
            outbox.done(owed, Outcome.DROPPED, attempt, now, Optional.of(subscriber.isEmpty()
                    ? "the subscription has ended" : "the version is no longer stored"));
            return true;
        }
        AccessContext who = subscriber.get().asking(now);
        Disclosure disclosure = consent.discloseTo(who, version.get());
        List<String> patients = PatientCompartment.patientsOf(fhir, version.get());
        if (disclosure.shown().isEmpty()) {
            Reason deciding = disclosure.decision().deciding();
            record(who, owed, patients, Optional.of(deciding), disclosure);
            outbox.done(owed, Outcome.WITHHELD, attempt, now, Optional.of(deciding.explain()));
            return true;
        }
        long eventNumber = subscriber.get().eventsSent() + 1;
        Bundle notification = NotificationBundle.of(subscriber.get(), owed, eventNumber,
                subscriber.get().content() == CareSubscriptions.PayloadContent.FULL_RESOURCE
                        ? disclosure.shown() : Optional.empty(), now);
        record(who, owed, patients, Optional.empty(), disclosure);
        Optional<String> failure = send(subscriber.get(), notification);
        if (failure.isEmpty()) {
            subscribers.delivered(owed.subscription(), eventNumber);
            outbox.done(owed, Outcome.DELIVERED, attempt, now, Optional.empty());
        } else if (retries.isLast(attempt)) {
            outbox.done(owed, Outcome.FAILED, attempt, now, failure);
            inError(owed.subscription(), owed.resource() + " could not be delivered in " + attempt + " tries; last: "
                    + failure.get());
        } else {
            outbox.retryAt(owed, now.plus(retries.after(attempt)), failure.get());
        }
        return true;
    }

    /**
     * A hook that has failed a notification's every try puts its subscription in error (R4 {@code status} and
     * {@code error}), in the delivery's transaction: nothing more is owed to it (and what is owed is dropped) until its
     * subscriber, who can read why, sets it to {@code requested} again.
     */
    private void inError(String subscription, String why) {
        IFhirResourceDao<Subscription> dao = daos.getResourceDao(Subscription.class);
        try {
            Subscription stopped = dao.read(new IdType(subscription), new SystemRequestDetails());
            stopped.setStatus(Subscription.SubscriptionStatus.ERROR);
            stopped.setError(why);
            dao.update(stopped, new SystemRequestDetails());
            log.warn("{} is in error: {}", subscription, why);
        } catch (BaseServerResponseException gone) {
            subscribers.remove(subscription);
        }
    }

    private Optional<IBaseResource> readVersion(Owed owed) {
        IdType id = new IdType(owed.resource()).withVersion(Long.toString(owed.version()));
        try {
            return Optional.of(daos.getResourceDao(id.getResourceType()).read(id, new SystemRequestDetails()));
        } catch (BaseServerResponseException gone) {
            return Optional.empty();
        }
    }

    /** On the trail before anything leaves: the disclosure with its permitting rules, or what withheld it. */
    private void record(AccessContext who, Owed owed, List<String> patients, Optional<Reason> withheld,
            Disclosure disclosure) {
        String about = owed.subscription() + " notification of " + owed.resource() + "/_history/" + owed.version();
        AccessRecord access = new AccessRecord(clock.instant(), Optional.of(who), "notification", about,
                Optional.empty(), withheld.isPresent() ? AccessRecord.Outcome.REFUSED : AccessRecord.Outcome.SUCCESS,
                withheld.isPresent() ? List.of() : List.of(owed.resource()), patients,
                withheld.map(reason -> new AccessRecord.Refusal(reason.rule().name(), reason.explain(),
                        reason.evidence())));
        AuditEvent event = events.build(access, List.of(disclosure.decision()));
        event.getSubtype().clear();
        event.addSubtype(SUBTYPE.copy());
        trail.append(event);
    }

    /** @return why it failed; empty once the hook has answered 2xx */
    private Optional<String> send(Subscriber subscriber, Bundle notification) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(subscriber.endpoint())).timeout(timeout)
                    .header("Content-Type", CareSubscriptions.MIME_TYPE)
                    .POST(HttpRequest.BodyPublishers.ofString(
                            fhir.newJsonParser().encodeResourceToString(notification)));
            for (String header : subscriber.headers()) {
                int colon = header.indexOf(':');
                if (colon > 0) {
                    request.header(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
                }
            }
            HttpResponse<Void> answer = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return answer.statusCode() / 100 == 2 ? Optional.empty()
                    : Optional.of("the endpoint answered " + answer.statusCode());
        } catch (IOException | IllegalArgumentException failed) {
            return Optional.of("the endpoint could not be reached: " + failed);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while delivering");
        }
    }

    /** What is still owed is delivered by the next sweep, on this node or another. */
    @Override
    public void close() {
        nudge.close();
    }
}
