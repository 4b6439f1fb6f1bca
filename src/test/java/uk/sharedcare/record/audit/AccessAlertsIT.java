package uk.sharedcare.record.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.Callers.BOROUGH_COUNCIL;
import static uk.sharedcare.support.Callers.BOROUGH_TRUST;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Communication;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Subscription;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import ca.uhn.fhir.jpa.subscription.match.registry.SubscriptionRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import javax.sql.DataSource;
import uk.sharedcare.record.access.AccessContextResolver;
import uk.sharedcare.support.AlertOutbox;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestIdentityProvider.Token;

/** The GP practice is told when another organisation first sees its patient's record, and of every break-glass. */
@PostgresFhirServerTest
class AccessAlertsIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    DailyDigests digests;

    @Autowired
    List<ScheduledTaskHolder> schedules;

    @Autowired
    SubscriptionRegistry activeSubscriptions;

    BoroughScenario borough;
    String patient;
    String observation;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        patient = borough.patientAtRiverside();
        observation = borough.bloodPressure(Callers.drPatel(), patient);
    }

    @Test
    void practiceIsAlertedOnceWhenAnotherOrganisationFirstSeesTheRecord() {
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        read(Callers.nurseOkafor(), observation);
        read(Callers.nurseOkafor(), observation);

        List<Communication> alerts = alertsSeenBy(Callers.drPatel());

        assertThat(alerts).filteredOn(a -> kind(a).equals("new-accessor")).singleElement().satisfies(alert -> {
            assertThat(alert.getSender().getIdentifier().getValue()).isEqualTo(BOROUGH_TRUST);
            assertThat(alert.getRecipientFirstRep().getIdentifier().getValue()).isEqualTo(Callers.RIVERSIDE_PRACTICE);
            assertThat(alert.getPayloadFirstRep().getContentStringType().getValue())
                    .contains("RZ9 (clinician) accessed this patient's record for the first time");
            assertThat(alert.getAboutFirstRep().getReference()).startsWith("AuditEvent/");
        });
    }

    @Test
    void eachNewOrganisationRaisesItsOwnAlert() {
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        read(Callers.nurseOkafor(), observation);
        read(Callers.swMurphy(), patient);

        assertThat(alertsSeenBy(Callers.drPatel())).filteredOn(a -> kind(a).equals("new-accessor"))
                .extracting(a -> a.getSender().getIdentifier().getValue())
                .containsExactlyInAnyOrder(BOROUGH_TRUST, BOROUGH_COUNCIL);
    }

    @Test
    void everyBreakGlassIsAlertedWithItsReason() {
        FhirServerClient breakingGlass = new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Unresponsive in the car park");
        breakingGlass.get("/" + observation);
        breakingGlass.get("/" + observation);

        assertThat(alertsSeenBy(Callers.drPatel())).filteredOn(a -> kind(a).equals("break-glass")).hasSize(2)
                .allSatisfy(a -> assertThat(a.getPayloadFirstRep().getContentStringType().getValue())
                        .contains("Unresponsive in the car park").contains("Awaiting review"));
    }

    @Test
    void thePracticesOwnAccessRaisesNoAlertAndOnlyThePracticeSeesAlerts() {
        read(Callers.drPatel(), observation);
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        read(Callers.nurseOkafor(), observation);

        assertThat(alertsSeenBy(Callers.drPatel())).extracting(a -> a.getSender().getIdentifier().getValue())
                .doesNotContain(Callers.RIVERSIDE_PRACTICE);
        assertThat(alertsSeenBy(Callers.nurseOkafor())).isEmpty();
    }

    @Test
    void digestListsTheDaysNewAccessorsAndBreakGlassAwaitingReviewUntilADpoReviewsIt() {
        borough.episodeOfCare(Callers.swMurphy(), BOROUGH_COUNCIL, patient);
        new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Seizure in clinic")
                .get("/" + observation);
        List<Communication> alerts = alertsSeenBy(Callers.drPatel());
        String breakGlass = idOf(alerts, "break-glass");
        String councilFirstAccess = alerts.stream().filter(a -> kind(a).equals("new-accessor")
                        && a.getSender().getIdentifier().getValue().equals(BOROUGH_COUNCIL))
                .map(a -> "Communication/" + a.getIdElement().getIdPart()).findFirst().orElseThrow();

        Parameters digest = digest(Callers.drPatel());
        assertThat(values(digest, "newAccessor")).contains(councilFirstAccess);
        assertThat(values(digest, "breakGlassAwaitingReview")).contains(breakGlass);

        Parameters review = new Parameters();
        review.addParameter().setName("alert").setValue(new Reference(breakGlass));
        review.addParameter().setName("note").setValue(new StringType("Appropriate: patient seizing, no GP contact"));
        FhirServerClient byGp = new FhirServerClient(port, Callers.drPatel().sign());
        assertThat(byGp.send("POST", "/$review-break-glass",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(review), "application/fhir+json")
                .status()).isEqualTo(403);
        assertThat(dpo().send("POST", "/$review-break-glass",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(review), "application/fhir+json")
                .status()).isEqualTo(200);

        assertThat(values(digest(Callers.drPatel()), "breakGlassAwaitingReview")).doesNotContain(breakGlass);
        Communication reviewed = borough.as(Callers.drPatel()).read().resource(Communication.class)
                .withId(breakGlass.substring("Communication/".length())).execute();
        assertThat(reviewed.getNoteFirstRep().getText()).contains("Appropriate");
    }

    @Test
    void dataProtectionOfficersQueueListsBreakGlassAwaitingReviewUntilTheyReviewIt() {
        new FhirServerClient(port, Callers.nurseOkafor().sign())
                .withHeader(AccessContextResolver.PURPOSE_HEADER, "ETREAT")
                .withHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER, "Collapsed in outpatients")
                .get("/" + observation);
        String breakGlass = idOf(alertsSeenBy(Callers.drPatel()), "break-glass");

        Parameters queue = breakGlassQueue(dpo());
        assertThat(queue.getParameter()).filteredOn(entry -> breakGlass.equals(part(entry, "alert")))
                .singleElement().satisfies(entry -> {
                    assertThat(part(entry, "patient")).isEqualTo(patient);
                    assertThat(part(entry, "organisation")).isEqualTo(BOROUGH_TRUST);
                    assertThat(part(entry, "what")).contains("Collapsed in outpatients");
                });
        assertThat(new FhirServerClient(port, Callers.drPatel().sign()).get("/$break-glass-queue").status())
                .as("a GP does not see every practice's queue").isEqualTo(403);

        Parameters review = new Parameters();
        review.addParameter().setName("alert").setValue(new Reference(breakGlass));
        review.addParameter().setName("note").setValue(new StringType("Appropriate"));
        assertThat(dpo().send("POST", "/$review-break-glass",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(review), "application/fhir+json")
                .status()).isEqualTo(200);

        assertThat(breakGlassQueue(dpo()).getParameter()).noneMatch(entry -> breakGlass.equals(part(entry, "alert")));
    }

    private Parameters breakGlassQueue(FhirServerClient caller) {
        FhirServerClient.RawResponse answer = caller.get("/$break-glass-queue");
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Parameters.class, answer.body());
    }

    private static String part(Parameters.ParametersParameterComponent entry, String name) {
        return entry.getPart().stream().filter(p -> p.getName().equals(name)).findFirst()
                .map(p -> p.getValue() instanceof Reference reference ? reference.getReference()
                        : p.getValue().primitiveValue())
                .orElse(null);
    }

    @Test
    void practiceReceivesItsOwnAlertsByRestHookAndNothingElse() throws Exception {
        BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hook.createContext("/hook", exchange -> {
            delivered.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        hook.start();
        String subscription = borough.create(Callers.riversideEhrFeed(), alertSubscription(
                AccessAlerts.subscriptionCriteria(Callers.RIVERSIDE_PRACTICE), hook.getAddress().getPort()));
        awaitActive(subscription);
        awaitRegistration(subscription, true);

        // Any node sharing the database may turn an alert into its Communication, and a node matches it against
        // the subscriptions it has loaded, which follow the database within a minute (HAPI's loader refresh). So
        // until one is delivered, another organisation first sees the patient every 15 s, each a new alert.
        String delivery = null;
        for (int organisation = 0; delivery == null && organisation < 10; organisation++) {
            String trust = "RZ" + organisation + "X";
            borough.episodeOfCare(TestIdentityProvider.token().subject("nurse.at." + trust).roles("clinician")
                    .organisation(trust).purposes("TREAT"), trust, patient);
            delivery = delivered.poll(15, TimeUnit.SECONDS);
        }
        assertThat(delivery).isNotNull().contains("Communication").contains("accessed this patient");

        // The practice unsubscribes. HAPI drops a deleted subscription from its registry on its next refresh, up to
        // a minute later; the hook stays up until the test JVM ends so that alerts matched meanwhile are delivered.
        FhirServerClient.RawResponse unsubscribed = new FhirServerClient(port, Callers.riversideEhrFeed().sign())
                .send("DELETE", "/" + subscription, (byte[]) null, Map.of());
        assertThat(unsubscribed.status()).as(() -> unsubscribed.body() + "\n" + storedVersions(subscription))
                .isEqualTo(200);
    }

    /** What the database holds of a resource, every version with its tags: to explain a failure. */
    private String storedVersions(String reference) {
        return new JdbcTemplate(dataSource).queryForList("""
                select v.RES_VER, v.RES_DELETED_AT, v.RES_UPDATED, v.RES_TEXT_VC,
                       (select string_agg(d.TAG_SYSTEM || '|' || d.TAG_CODE, ',') from HFJ_HISTORY_TAG h
                          join HFJ_TAG_DEF d on d.TAG_ID = h.TAG_ID where h.RES_VER_PID = v.PID) as TAGS
                from HFJ_RES_VER v join HFJ_RESOURCE r on r.RES_ID = v.RES_ID
                where r.RES_TYPE = ? and r.FHIR_ID = ? order by v.RES_VER""",
                reference.substring(0, reference.indexOf('/')), reference.substring(reference.indexOf('/') + 1))
                .toString();
    }

    @Test
    void subscriptionToAnotherPracticesAlertsIsRefused() {
        String foreign = FhirServerClient.FHIR.newJsonParser().encodeResourceToString(alertSubscription(
                AccessAlerts.subscriptionCriteria(Callers.NORTHGATE_PRACTICE), 9));

        var response = new FhirServerClient(port, Callers.riversideEhrFeed().sign())
                .send("POST", "/Subscription", foreign, "application/fhir+json");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains(AccessAlerts.subscriptionCriteria(Callers.RIVERSIDE_PRACTICE));
    }

    private static Subscription alertSubscription(String criteria, int port) {
        Subscription subscription = new Subscription();
        subscription.setStatus(Subscription.SubscriptionStatus.REQUESTED);
        subscription.setReason("Access alerts for the practice");
        subscription.setCriteria(criteria);
        subscription.getChannel().setType(Subscription.SubscriptionChannelType.RESTHOOK)
                .setEndpoint("http://127.0.0.1:" + port + "/hook").setPayload("application/fhir+json");
        return subscription;
    }

    private void awaitActive(String subscription) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            Subscription current = borough.as(Callers.riversideEhrFeed()).read().resource(Subscription.class)
                    .withId(subscription.substring("Subscription/".length())).execute();
            if (current.getStatus() == Subscription.SubscriptionStatus.ACTIVE) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(subscription + " never became active");
    }

    @Test
    void practiceGetsOneDailyDigestOfNewAccessorsAndBreakGlassAwaitingReview() {
        borough.episodeOfCare(Callers.nurseOkafor(), BOROUGH_TRUST, patient);
        LocalDate today = LocalDate.now(ZoneId.of("Europe/London"));
        awaitOutboxDelivered();

        digests.send(today);
        assertThat(digests.send(today)).as("a second run the same day sends nothing").isZero();

        Bundle sent = borough.as(Callers.drPatel()).search().byUrl("Communication?category="
                + AccessAlerts.ALERT_SYSTEM + "|" + DailyDigests.DIGEST).returnBundle(Bundle.class).execute();
        assertThat(sent.getEntry()).isNotEmpty().allSatisfy(e -> assertThat(
                ((Communication) e.getResource()).getRecipientFirstRep().getIdentifier().getValue())
                .isEqualTo(Callers.RIVERSIDE_PRACTICE));
        assertThat(sent.getEntry()).flatExtracting(e -> ((Communication) e.getResource()).getPayload())
                .extracting(p -> p.getContentStringType().getValue())
                .anySatisfy(line -> assertThat(line).contains("RZ9 (clinician) accessed"));
        assertThat(borough.as(Callers.nurseOkafor()).search().byUrl("Communication?category="
                + AccessAlerts.ALERT_SYSTEM + "|" + DailyDigests.DIGEST).returnBundle(Bundle.class).execute()
                .getEntry()).isEmpty();
    }

    @Test
    void digestsAreSentEveryMorning() {
        assertThat(schedules).flatExtracting(holder -> List.copyOf(holder.getScheduledTasks()))
                .extracting(task -> task.getTask().toString())
                .anySatisfy(name -> assertThat(name).contains("DailyDigests.sendYesterdays"));
    }

    /**
     * HAPI matches new resources against its in-memory registry, which follows the stored status a little later and
     * may register the subscription twice (on activation, then on its loader's refresh), replacing the delivery
     * channel. Waits until the same registration has held for five seconds.
     */
    private void awaitRegistration(String subscription, boolean registered) throws InterruptedException {
        String id = subscription.substring("Subscription/".length());
        Object stable = null;
        int unchanged = 0;
        for (int i = 0; i < 480 && unchanged < 20; i++) {
            Object current = activeSubscriptions.get(id);
            unchanged = current != null && current == stable ? unchanged + 1 : 0;
            stable = current;
            Thread.sleep(250);
        }
        if (unchanged < 20) {
            throw new AssertionError(subscription + " never became a settled active subscription");
        }
    }

    private Parameters digest(Token practice) {
        return borough.as(practice).operation().onServer().named("$access-digest")
                .withNoParameters(Parameters.class).useHttpGet().execute();
    }

    private FhirServerClient dpo() {
        return new FhirServerClient(port, TestIdentityProvider.token().subject("dpo.williams").roles("dpo")
                .organisation("QZ9").purposes("TREAT").sign());
    }

    private static List<String> values(Parameters parameters, String name) {
        return parameters.getParameter().stream().filter(p -> p.getName().equals(name))
                .map(p -> ((Reference) p.getValue()).getReference()).toList();
    }

    private static String idOf(List<Communication> alerts, String kind) {
        return alerts.stream().filter(a -> kind(a).equals(kind))
                .map(a -> "Communication/" + a.getIdElement().getIdPart()).findFirst().orElseThrow();
    }

    private void read(Token caller, String id) {
        assertThat(new FhirServerClient(port, caller.sign()).get("/" + id).status()).isEqualTo(200);
    }

    /** Alerts are delivered from the outbox by a worker: what the accesses owed is delivered within seconds. */
    private List<Communication> alertsSeenBy(Token caller) {
        awaitOutboxDelivered();
        return borough.as(caller).search().byUrl("Communication?subject=" + patient).returnBundle(Bundle.class)
                .execute().getEntry().stream().map(e -> (Communication) e.getResource()).toList();
    }

    private void awaitOutboxDelivered() {
        AlertOutbox.awaitDelivered(dataSource);
    }

    private static String kind(Communication alert) {
        return alert.getCategoryFirstRep().getCodingFirstRep().getCode();
    }
}
