package uk.sharedcare.record.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;
import static uk.sharedcare.support.Callers.BOROUGH_TRUST;

import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.SeparateNode;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * Change notifications that obey the policy, over HTTP: organisations' systems subscribe by REST hook, and each
 * change is sent only as the subscriber would read it at delivery, is on the audit trail, and is tried again until
 * the hook takes it, on any node.
 */
@PostgresFhirServerTest
class ChangeNotificationsIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    private BoroughScenario borough;
    private final List<RestHook> hooks = new ArrayList<>();
    private final List<Runnable> unsubscribe = new ArrayList<>();

    @BeforeEach
    void aBorough() {
        borough = new BoroughScenario(port);
    }

    /** Each test's subscriptions end with it, so that no other test's changes are owed to its closed hooks. */
    @AfterEach
    void unsubscribeAndCloseHooks() {
        unsubscribe.forEach(Runnable::run);
        hooks.forEach(RestHook::close);
    }

    /** The council's case-management system, a client of its own. */
    private static TestIdentityProvider.Token councilCaseManagement() {
        return TestIdentityProvider.token().subject("service-account-council-case-management")
                .client("council-case-management").roles("system").organisation(BOROUGH_COUNCIL).purposes("TREAT");
    }

    @Test
    void councilCaseManagementIsSentCarePlansOfItsClientsAsItWouldReadThem() throws Exception {
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.listening());
        String subscription = subscribe(councilCaseManagement(), "CarePlan?patient=" + client, hook, "full-resource");

        String plan = borough.carePlan(Callers.drPatel(), client, "Falls prevention");

        RestHook.Received sent = hook.next(20);
        assertThat(sent).as("a notification").isNotNull();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.headers().get("Authorization")).as("the subscription's own header").isEqualTo("Bearer hook-secret");
        assertThat(sent.headers().get("Content-Type")).startsWith("application/fhir+json");
        Bundle notification = sent.notification();
        assertThat(notification.getType()).isEqualTo(Bundle.BundleType.HISTORY);
        Parameters status = (Parameters) notification.getEntryFirstRep().getResource();
        assertThat(status.getParameter("events-since-subscription-start").getValue().primitiveValue()).isEqualTo("1");
        assertThat(status.getParameter("subscription").getValue()).satisfies(reference ->
                assertThat(((org.hl7.fhir.r4.model.Reference) reference).getReference()).endsWith(subscription));
        Bundle.BundleEntryComponent focus = notification.getEntry().get(1);
        assertThat(focus.getFullUrl()).endsWith("/" + plan + "/_history/1");
        assertThat(focus.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.POST);
        assertThat(focus.getResource()).isInstanceOf(CarePlan.class);
        assertThat(((CarePlan) focus.getResource()).getTitle()).isEqualTo("Falls prevention");

        CarePlan changed = borough.as(Callers.drPatel()).read().resource(CarePlan.class).withId(idPart(plan)).execute();
        changed.setTitle("Falls prevention, reviewed");
        borough.as(Callers.drPatel()).update().resource(changed).execute();

        Bundle second = hook.next(20).notification();
        assertThat(((Parameters) second.getEntryFirstRep().getResource())
                .getParameter("events-since-subscription-start").getValue().primitiveValue()).isEqualTo("2");
        assertThat(second.getEntry().get(1).getFullUrl()).endsWith("/" + plan + "/_history/2");
        assertThat(second.getEntry().get(1).getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.PUT);
        assertThat(notificationsOnTheTrail(subscription, client, AuditEvent.AuditEventOutcome._0)).as("each a disclosure")
                .hasSize(2);
    }

    @Test
    void practiceSystemIsSentOnlyTheIdOfSocialCareRecordedForItsPatients() throws Exception {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        RestHook hook = hook(RestHook.listening());
        subscribe(Callers.riversideEhrFeed(), "CarePlan?patient=" + patient, hook, "id-only");

        String plan = borough.carePlan(Callers.swMurphy(), patient, "Home care, four visits a day");

        Bundle notification = hook.next(20).notification();
        Bundle.BundleEntryComponent focus = notification.getEntry().get(1);
        assertThat(focus.getFullUrl()).endsWith("/" + plan + "/_history/1");
        assertThat(focus.hasResource()).as("id-only").isFalse();
        assertThat(sentBody(notification)).doesNotContain("Home care");
    }

    @Test
    void aChangeTheSubscriberMayNotSeeIsNeverSentNorCounted() throws Exception {
        String stranger = borough.patientAtRiverside();
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.listening());
        String subscription = subscribe(councilCaseManagement(), "CarePlan?", hook, "full-resource");

        borough.carePlan(Callers.drPatel(), stranger, "Not the council's business");
        String plan = borough.carePlan(Callers.drPatel(), client, "Meals at home");

        Bundle first = hook.next(20).notification();
        assertThat(first.getEntry().get(1).getFullUrl()).as("the stranger's plan, owed first, was withheld")
                .endsWith("/" + plan + "/_history/1");
        assertThat(((Parameters) first.getEntryFirstRep().getResource())
                .getParameter("events-since-subscription-start").getValue().primitiveValue())
                .as("a withheld notification leaves no gap").isEqualTo("1");
        assertThat(sentBody(first)).doesNotContain(idPart(stranger));
        assertThat(notificationsOnTheTrail(subscription, stranger, AuditEvent.AuditEventOutcome._4)).singleElement()
                .satisfies(event -> assertThat(event.getOutcomeDesc()).contains("episode of care"));
    }

    @Test
    void aDissentRecordedBetweenTheChangeAndItsDeliveryStopsTheNotification() throws Exception {
        String dissenting = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, dissenting);
        RestHook hook = hook(RestHook.notYetListening());
        String subscription = subscribe(councilCaseManagement(), "CarePlan?", hook, "full-resource");
        String plan = borough.carePlan(Callers.drPatel(), dissenting, "Respite care");
        awaitAttempted(subscription, plan);

        borough.privacyConsent(Callers.drPatel(), dissenting, false);
        hook.start();
        awaitDone(subscription, plan);

        assertThat(hook.next(1)).as("the dissenting patient's plan was never sent").isNull();
        assertThat(notificationsOnTheTrail(subscription, dissenting, AuditEvent.AuditEventOutcome._4)).singleElement()
                .satisfies(event -> assertThat(event.getOutcomeDesc()).containsIgnoringCase("dissent"));
    }

    @Test
    void aHookThatFailsIsTriedAgainUntilItTakesTheNotification() throws Exception {
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.listening());
        hook.answerNext(503, 500);
        subscribe(councilCaseManagement(), "CarePlan?patient=" + client, hook, "id-only");

        String plan = borough.carePlan(Callers.drPatel(), client, "Equipment");

        List<String> tries = new ArrayList<>();
        for (int attempt = 0; attempt < 3; attempt++) {
            RestHook.Received sent = hook.next(20);
            assertThat(sent).as("attempt " + (attempt + 1)).isNotNull();
            tries.add(sent.notification().getEntry().get(1).getFullUrl());
        }
        assertThat(tries).allSatisfy(url -> assertThat(url).endsWith("/" + plan + "/_history/1"));
        assertThat(hook.next(3)).as("taken on the third try: not sent again").isNull();
    }

    @Test
    void aDeletionIsNotifiedByItsUrlAloneEvenToAFullResourceSubscription() throws Exception {
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.listening());
        subscribe(councilCaseManagement(), "CarePlan?patient=" + client, hook, "full-resource");
        String plan = borough.carePlan(Callers.drPatel(), client, "Recorded for the wrong patient");
        assertThat(hook.next(20)).as("the creation").isNotNull();

        assertThat(new FhirServerClient(port, Callers.drPatel().sign()).send("DELETE", "/" + plan, (byte[]) null,
                java.util.Map.of()).status()).isIn(200, 204);

        Bundle deletion = hook.next(20).notification();
        Bundle.BundleEntryComponent focus = deletion.getEntry().get(1);
        assertThat(focus.getRequest().getMethod()).isEqualTo(Bundle.HTTPVerb.DELETE);
        assertThat(focus.getRequest().getUrl()).isEqualTo(plan);
        assertThat(focus.getFullUrl()).endsWith("/" + plan);
        assertThat(focus.hasResource()).as("nothing of a deleted resource").isFalse();
        assertThat(sentBody(deletion)).doesNotContain("wrong patient");
        assertThat(((Parameters) deletion.getEntryFirstRep().getResource())
                .getParameter("events-since-subscription-start").getValue().primitiveValue()).isEqualTo("2");
    }

    @Test
    void aDeletionTheSubscriberMayNotSeeIsWithheld() throws Exception {
        String stranger = borough.patientAtRiverside();
        RestHook hook = hook(RestHook.listening());
        String subscription = subscribe(councilCaseManagement(), "CarePlan?patient=" + stranger, hook, "id-only");
        String plan = borough.carePlan(Callers.drPatel(), stranger, "Not the council's business");
        awaitDone(subscription, plan);

        new FhirServerClient(port, Callers.drPatel().sign()).send("DELETE", "/" + plan, (byte[]) null,
                java.util.Map.of());

        List<AuditEvent> withheld = List.of();
        for (int i = 0; i < 100 && withheld.size() < 2; i++) {
            Thread.sleep(200);
            withheld = notificationsOnTheTrail(subscription, stranger, AuditEvent.AuditEventOutcome._4);
        }
        assertThat(withheld).as("the plan and its deletion, each withheld").hasSize(2);
        assertThat(hook.next(1)).as("neither sent").isNull();
    }

    @Test
    void aHookThatFailsEveryTryPutsItsSubscriptionInErrorAndIsSentNothingMoreUntilRequestedAgain() throws Exception {
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.listening());
        hook.answerNext(500, 500, 500, 500, 500);
        String subscription = subscribe(councilCaseManagement(), "CarePlan?patient=" + client, hook, "id-only");
        String plan = borough.carePlan(Callers.drPatel(), client, "Telecare");
        awaitDone(subscription, plan);

        Subscription inError = borough.as(councilCaseManagement()).read().resource(Subscription.class)
                .withId(idPart(subscription)).execute();
        assertThat(inError.getStatus()).isEqualTo(Subscription.SubscriptionStatus.ERROR);
        assertThat(inError.getError()).contains(plan).contains("5 tries").contains("answered 500");
        while (hook.next(1) != null) {
            // the five failed tries
        }
        borough.carePlan(Callers.drPatel(), client, "Telecare, reviewed");
        assertThat(hook.next(4)).as("nothing is owed to a subscription in error").isNull();

        inError.setStatus(Subscription.SubscriptionStatus.REQUESTED);
        inError.setError(null);
        borough.as(councilCaseManagement()).update().resource(inError).execute();
        String third = borough.carePlan(Callers.drPatel(), client, "Telecare, third plan");
        RestHook.Received sent = hook.next(20);
        assertThat(sent).as("requested again, it is sent changes again").isNotNull();
        assertThat(sent.notification().getEntry().get(1).getFullUrl()).endsWith("/" + third + "/_history/1");
    }

    @Test
    void aNotificationOwedByANodeThatWasKilledIsDeliveredByAnother() throws Exception {
        String client = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, client);
        RestHook hook = hook(RestHook.notYetListening());
        String plan;
        try (SeparateNode secondNode = SeparateNode.start("notifications")) {
            BoroughScenario onSecondNode = new BoroughScenario(secondNode.port());
            String subscription = onSecondNode.create(councilCaseManagement(), subscription(
                    "CarePlan?patient=" + client, hook, "id-only"));
            plan = onSecondNode.carePlan(Callers.drPatel(), client, "Reablement");
            awaitAttempted(subscription, plan);
            secondNode.kill();
        }

        hook.start();

        RestHook.Received sent = hook.next(30);
        assertThat(sent).as("delivered by the node still running").isNotNull();
        assertThat(sent.notification().getEntry().get(1).getFullUrl()).endsWith("/" + plan + "/_history/1");
    }

    @Test
    void thePracticeSystemIsToldEachTimeTheCouncilChangesTheStatusOfItsReferralAndTheTrustIsNot() throws Exception {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        RestHook practiceHook = hook(RestHook.listening());
        RestHook trustHook = hook(RestHook.listening());
        subscribe(Callers.riversideEhrFeed(), "Task?patient=" + patient, practiceHook, "full-resource");
        String trusts = subscribe(trustPatientAdministration(), "Task?patient=" + patient, trustHook, "id-only");
        String referral = borough.referral(Callers.drPatel(), patient, BOROUGH_COUNCIL);

        String status = borough.create(Callers.swMurphy(), BoroughScenario.referralStatus(referral, patient,
                BOROUGH_COUNCIL, Task.TaskStatus.RECEIVED, null));
        assertThat(notifiedStatus(practiceHook)).isEqualTo(Task.TaskStatus.RECEIVED);
        awaitDone(trusts, status);
        assertThat(trustHook.next(1)).as("the trust is no party to the referral").isNull();

        Task accepted = borough.as(Callers.swMurphy()).read().resource(Task.class).withId(idPart(status)).execute();
        accepted.setStatus(Task.TaskStatus.ACCEPTED);
        borough.as(Callers.swMurphy()).update().resource(accepted).execute();

        assertThat(notifiedStatus(practiceHook)).isEqualTo(Task.TaskStatus.ACCEPTED);
        assertThat(trustHook.next(2)).as("nor told of its change").isNull();
        assertThat(notificationsOnTheTrail(trusts, patient, AuditEvent.AuditEventOutcome._4))
                .allSatisfy(event -> assertThat(event.getOutcomeDesc()).contains("referral")).isNotEmpty();
    }

    /** The hospital trust's patient administration system, a client of its own. */
    private static TestIdentityProvider.Token trustPatientAdministration() {
        return TestIdentityProvider.token().subject("service-account-trust-pas").client("trust-pas")
                .roles("system").organisation(BOROUGH_TRUST).purposes("TREAT");
    }

    private static Task.TaskStatus notifiedStatus(RestHook hook) throws InterruptedException {
        RestHook.Received sent = hook.next(20);
        assertThat(sent).as("a notification").isNotNull();
        return ((Task) sent.notification().getEntry().get(1).getResource()).getStatus();
    }

    @Test
    void subscriptionsTheRecordCouldNotKeepToThePolicyAreRefused() {
        RestHook hook = hook(RestHook.listening());
        assertThat(attempt(Callers.drPatel(), subscription("CarePlan?", hook, "id-only")))
                .as("a person, not an organisation's system").isEqualTo(403);
        assertThat(attempt(councilCaseManagement(), subscription("Consent?", hook, "id-only")))
                .as("sharing choices are not notified").isEqualTo(403);
        assertThat(attempt(councilCaseManagement(), subscription("CarePlan?subject:Patient.name=Smith", hook,
                "id-only"))).as("a chain HAPI cannot match in memory").isEqualTo(403);
        assertThat(attempt(councilCaseManagement(), withEndpoint(subscription("CarePlan?", hook, "id-only"),
                "https://hooks.example.org/hook"))).as("an endpoint the deployment does not allow").isEqualTo(403);
        assertThat(attempt(councilCaseManagement(), withEndpoint(subscription("CarePlan?", hook, "id-only"),
                "http://127.0.0.1:1@hooks.example.org/hook"))).as("another host behind user info").isEqualTo(403);
        assertThat(attempt(councilCaseManagement(), subscription("CarePlan?", hook, "everything")))
                .as("an unknown payload content").isEqualTo(403);
        assertThat(attempt(TestIdentityProvider.token().subject("service-account-council-audit").client("x")
                .roles("system").organisation(BOROUGH_COUNCIL).purposes("HOPERAT"), subscription("CarePlan?", hook,
                "id-only"))).as("not for direct care").isEqualTo(403);
    }

    private int attempt(TestIdentityProvider.Token subscriber, Subscription subscription) {
        RawResponse response = new FhirServerClient(port, subscriber.sign()).send("POST", "/Subscription",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(subscription), "application/fhir+json");
        return response.status();
    }

    private RestHook hook(RestHook hook) {
        hooks.add(hook);
        return hook;
    }

    private String subscribe(TestIdentityProvider.Token subscriber, String criteria, RestHook hook, String content) {
        String subscription = borough.create(subscriber, subscription(criteria, hook, content));
        unsubscribe.add(() -> new FhirServerClient(port, subscriber.sign()).send("DELETE", "/" + subscription,
                (byte[]) null, java.util.Map.of()));
        return subscription;
    }

    private static Subscription subscription(String criteria, RestHook hook, String content) {
        Subscription subscription = new Subscription();
        subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
        subscription.setReason("Changes to our clients' care");
        subscription.setCriteria(criteria);
        subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK)
                .setEndpoint(hook.endpoint()).setPayload("application/fhir+json")
                .addHeader("Authorization: Bearer hook-secret");
        subscription.getChannel().getPayloadElement().addExtension(CareSubscriptions.PAYLOAD_CONTENT,
                new CodeType(content));
        return subscription;
    }

    private static Subscription withEndpoint(Subscription subscription, String endpoint) {
        subscription.getChannel().setEndpoint(endpoint);
        return subscription;
    }

    /** Waits until the record has tried, and failed, to deliver the change: the hook was not listening. */
    private void awaitAttempted(String subscription, String resource) throws InterruptedException {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (int i = 0; i < 200; i++) {
            Integer attempts = jdbc.query("select ATTEMPTS from " + NotificationOutbox.TABLE
                    + " where SUBSCRIPTION = ? and RESOURCE = ?", rs -> rs.next() ? rs.getInt(1) : 0,
                    subscription, resource);
            if (attempts != null && attempts > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No delivery of " + resource + " to " + subscription + " was attempted");
    }

    /** Waits until the record is done with the change's notification: delivered, withheld, dropped or failed. */
    private void awaitDone(String subscription, String resource) throws InterruptedException {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        for (int i = 0; i < 300; i++) {
            Boolean done = jdbc.query("select DONE is not null from " + NotificationOutbox.TABLE
                    + " where SUBSCRIPTION = ? and RESOURCE = ?", rs -> rs.next() && rs.getBoolean(1),
                    subscription, resource);
            if (Boolean.TRUE.equals(done)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("The record never finished with " + resource + " for " + subscription);
    }

    private List<AuditEvent> notificationsOnTheTrail(String subscription, String patient,
            AuditEvent.AuditEventOutcome outcome) {
        return new AuditTrailReader(port).events("patient=" + patient).stream()
                .filter(event -> event.getEntity().stream().anyMatch(entity -> entity.hasDescription()
                        && entity.getDescription().startsWith(subscription + " notification")))
                .filter(event -> event.getSubtype().stream()
                        .anyMatch(code -> NotificationDelivery.SUBTYPE.getCode().equals(code.getCode())))
                .filter(event -> event.getOutcome() == outcome)
                .toList();
    }

    private static String sentBody(Bundle notification) {
        return FhirServerClient.FHIR.newJsonParser().encodeResourceToString(notification);
    }

    private static String idPart(String reference) {
        return reference.substring(reference.indexOf('/') + 1);
    }
}
