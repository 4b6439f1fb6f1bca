package uk.sharedcare.record.notify;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.matcher.InMemoryResourceMatcher;
import ca.uhn.fhir.jpa.searchparam.matcher.SearchParamMatcher;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import uk.sharedcare.record.ConditionalOnSharedCare;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.audit.ledger.LedgerSchema;
import uk.sharedcare.record.consent.SubscriptionPolicy;
import uk.sharedcare.record.consent.enforcement.SharedCareConsentService;

/**
 * Change notifications that obey the policy: organisations' systems subscribe by REST hook, the record owes each
 * matching change in the change's own transaction, and delivers it only as the subscriber would read it now.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
public class NotificationsConfig {

    @Bean
    SubscriptionPolicy changeNotificationSubscriptions(InMemoryResourceMatcher matcher,
            @Value("${shared-care.notifications.allowed-endpoints:}") List<String> allowedEndpoints) {
        return new CareSubscriptions(allowedEndpoints.stream().filter(prefix -> !prefix.isBlank()).toList(),
                criteria -> matcher.canBeEvaluatedInMemory(criteria).supported());
    }

    @Bean
    Subscribers subscribers(DataSource dataSource) {
        return new Subscribers(new JdbcTemplate(dataSource));
    }

    @Bean
    NotificationOutbox notificationOutbox(DataSource dataSource, LedgerSchema schema) {
        return new NotificationOutbox(new JdbcTemplate(dataSource), schema.partitioned());
    }

    @Bean(destroyMethod = "close")
    NotificationDelivery notificationDelivery(NotificationOutbox outbox, Subscribers subscribers,
            PlatformTransactionManager transactions, DaoRegistry daos, SharedCareConsentService consent,
            AuditTrail trail, AuditEventFactory events, FhirContext fhir,
            @Value("${shared-care.notifications.timeout:PT10S}") Duration timeout,
            @Value("${shared-care.notifications.first-retry-after:PT30S}") Duration firstRetry,
            @Value("${shared-care.notifications.longest-retry-after:PT1H}") Duration longestRetry,
            @Value("${shared-care.notifications.attempts:10}") int attempts) {
        return new NotificationDelivery(outbox, subscribers, new TransactionTemplate(transactions), daos, consent,
                trail, events, fhir, timeout, new RetrySchedule(firstRetry, longestRetry, attempts),
                Clock.systemUTC());
    }

    /** On the storage layer's interceptor service, so every write owes its notifications, the server's own too. */
    @Bean
    ChangeNotifications changeNotifications(Subscribers subscribers, NotificationOutbox outbox,
            SearchParamMatcher matcher, DataSource dataSource, NotificationDelivery delivery,
            IInterceptorService storageInterceptors) {
        ChangeNotifications notifications = new ChangeNotifications(subscribers, outbox, matcher, dataSource,
                delivery::nudgeAfterCommit, Clock.systemUTC());
        storageInterceptors.registerInterceptor(notifications);
        return notifications;
    }
}
