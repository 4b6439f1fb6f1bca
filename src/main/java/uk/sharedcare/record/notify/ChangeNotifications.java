package uk.sharedcare.record.notify;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.notify.NotificationOutbox.Change;

/**
 * On HAPI's storage interceptor service, inside each write's transaction: keeps the change-notification
 * subscriptions current as they are written, and owes a notification to every subscription whose criteria a
 * created, updated or deleted resource matches (HAPI's in-memory matcher; a deleted one as it was). Nothing is
 * decided here about who may see the change: that is decided when it is delivered.
 */
@Interceptor
final class ChangeNotifications {

    private static final Logger log = LoggerFactory.getLogger(ChangeNotifications.class);

    private final Subscribers subscribers;
    private final NotificationOutbox outbox;
    private final SearchParamMatcher matcher;
    private final DataSource dataSource;
    private final Runnable nudgeAfterCommit;
    private final Clock clock;

    ChangeNotifications(Subscribers subscribers, NotificationOutbox outbox, SearchParamMatcher matcher,
            DataSource dataSource, Runnable nudgeAfterCommit, Clock clock) {
        this.subscribers = subscribers;
        this.outbox = outbox;
        this.matcher = matcher;
        this.dataSource = dataSource;
        this.nudgeAfterCommit = nudgeAfterCommit;
        this.clock = clock;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void created(IBaseResource resource, RequestDetails request) {
        changed(resource, true, request);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource, RequestDetails request) {
        changed(resource, false, request);
    }

    /** HAPI passes the resource as it was before the deletion: its last version is what a subscriber is told of. */
    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void deleted(IBaseResource resource, RequestDetails request) {
        if (resource instanceof Subscription subscription) {
            subscribers.remove(reference(subscription));
        } else if (CareSubscriptions.NOTIFIABLE.contains(resource.fhirType())) {
            owe(resource, Change.DELETED, request);
        }
    }

    private void changed(IBaseResource resource, boolean created, RequestDetails request) {
        if (resource instanceof Subscription subscription) {
            subscriptionWritten(subscription, request);
        } else if (CareSubscriptions.NOTIFIABLE.contains(resource.fhirType())) {
            owe(resource, created ? Change.CREATED : Change.UPDATED, request);
        }
    }

    /**
     * A change-notification subscription as its subscriber wrote it; HAPI's own updates (activating it) change
     * nothing here. One that is off, in error or no longer a change notification stops being delivered.
     */
    private void subscriptionWritten(Subscription subscription, RequestDetails request) {
        String id = reference(subscription);
        Subscription.SubscriptionStatus status = subscription.getStatus();
        boolean live = status == Subscription.SubscriptionStatus.REQUESTED
                || status == Subscription.SubscriptionStatus.ACTIVE;
        if (!CareSubscriptions.isChangeNotification(subscription) || !live) {
            subscribers.remove(id);
            return;
        }
        Optional<AccessContext> who = AccessContexts.of(request);
        if (who.isEmpty()) {
            return;
        }
        Subscription.SubscriptionChannelComponent channel = subscription.getChannel();
        subscribers.save(new Subscriber(id, CareSubscriptions.resourceType(subscription).orElseThrow(),
                CareSubscriptions.matchUrl(subscription.getCriteria()), channel.getEndpoint(),
                channel.getHeader().stream().map(StringType::getValue).toList(),
                CareSubscriptions.content(subscription).orElse(CareSubscriptions.PayloadContent.ID_ONLY),
                who.get().organisation(), who.get().subject(), who.get().client(), who.get().scopes().describe(),
                request.getFhirServerBase(), 0));
    }

    private void owe(IBaseResource resource, Change change, RequestDetails request) {
        List<Subscriber> candidates = subscriptionsOn(resource.fhirType());
        if (candidates.isEmpty()) {
            return;
        }
        String id = resource.getIdElement().toUnqualifiedVersionless().getValue();
        long version = resource.getIdElement().getVersionIdPartAsLong();
        boolean owed = false;
        for (Subscriber subscriber : candidates) {
            try {
                if (matcher.match(subscriber.criteria(), resource, request).matched()) {
                    outbox.owe(subscriber.subscription(), id, version, change, clock.instant());
                    owed = true;
                }
            } catch (RuntimeException unmatchable) {
                log.warn("{} could not be matched against {}; no notification is owed", id,
                        subscriber.subscription(), unmatchable);
            }
        }
        if (owed) {
            nudgeAfterCommit.run();
        }
    }

    /** The subscriptions on a type, read once per transaction (a bundle of many entries reads them once). */
    @SuppressWarnings("unchecked")
    private List<Subscriber> subscriptionsOn(String type) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()
                || !TransactionSynchronizationManager.hasResource(dataSource)) {
            return subscribers.on(type);
        }
        Map<String, List<Subscriber>> read = (Map<String, List<Subscriber>>) TransactionSynchronizationManager
                .getResource(this);
        if (read == null) {
            read = new HashMap<>();
            TransactionSynchronizationManager.bindResource(this, read);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    TransactionSynchronizationManager.unbindResourceIfPossible(ChangeNotifications.this);
                }
            });
        }
        return read.computeIfAbsent(type, subscribers::on);
    }

    private static String reference(Subscription subscription) {
        return "Subscription/" + subscription.getIdElement().getIdPart();
    }
}
