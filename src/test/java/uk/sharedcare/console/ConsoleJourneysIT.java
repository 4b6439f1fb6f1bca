package uk.sharedcare.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Date;
import javax.sql.DataSource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.ContextConfiguration;
import uk.sharedcare.record.patientstate.StateStamps;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.AlertOutbox;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.KeycloakServerInitializer;
import uk.sharedcare.support.KeycloakSupport;
import uk.sharedcare.support.RecordFixtures;

/**
 * The console's journeys in a real browser (headless Chromium) against the running record and the real Keycloak:
 * people sign in on Keycloak's own page, and what they do in the console is checked through the record's API as
 * the other organisations see it. Every step leaves a screenshot under {@code target/console-screenshots}.
 */
@SpringBootTest(classes = Application.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("postgres")
@ContextConfiguration(initializers = KeycloakServerInitializer.class)
class ConsoleJourneysIT {

    private static final String HUGHES_NHS_NUMBER = "9990000107";

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    @Autowired
    StateStamps stamps;

    private Browser browser;

    @BeforeAll
    static void aBrowserIsInstalled() {
        assertThat(Browser.available()).as("Debian's chromium and chromium-driver (.ci/run installs them)").isTrue();
    }

    @BeforeEach
    void openBrowser() {
        browser = new Browser();
    }

    @AfterEach
    void closeBrowser() {
        browser.close();
    }

    @Test
    void aPracticeSwitchingToOptInStopsATrustClinicianSeeingItsPatientWithoutAPermit() {
        String patient = create("dr.patel", RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Console"));
        String observation = create("dr.patel", bloodPressure(patient));
        startCare("nurse.okafor", patient);
        assertThat(api("nurse.okafor").get("/" + observation).status()).isEqualTo(200);
        try {
            recordAgreement("Y90001", "2024-04-01");
            signIn("dr.patel");
            browser.waitForText(By.tagName("h1"), "Your practice");
            assertThat(browser.find(By.id("agreement")).getText()).as("the admin's agreement for the practice")
                    .isEqualTo("In force from 2024-04-01, with no end.");
            browser.screenshot("practice-1-signed-in");

            browser.click(By.id("opt-in"));
            browser.click(By.id("save-sharing"));

            browser.waitForText(By.id("current-sharing"), "opt-in");
            assertThat(browser.pageText()).contains("Your practice's sharing is changed")
                    .contains("its own setting in the record");
            browser.screenshot("practice-2-opted-in");
            assertThat(api("nurse.okafor").get("/" + observation).status()).as("no permit: hidden").isEqualTo(404);

            String nhsNumber = nhsNumberOf(patient);
            browser.find(By.id("nhs-number")).sendKeys(nhsNumber);
            browser.click(By.id("find-patient"));
            browser.waitForText(By.tagName("main"), "Who has looked at this record");
            assertThat(browser.pageText()).contains("RZ9").contains("clinician");
            assertThat(browser.currentUrl()).as("no identifier in the URL").doesNotContain(nhsNumber)
                    .doesNotContain(patient.substring("Patient/".length()));
            browser.click(By.id("record-opt-in"));
            browser.waitForText(By.tagName("main"), "The patient's opt-in is recorded.");
            browser.screenshot("practice-3-patient-opted-in");
            assertThat(api("nurse.okafor").get("/" + observation).status()).as("the patient's permit").isEqualTo(200);
        } finally {
            shareByDefault("Y90001");
            forgetAgreement("Y90001");
        }
    }

    @Test
    void aDataProtectionOfficerReviewsABreakGlassAndItLeavesTheQueue() {
        String patient = create("dr.patel", RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Emergency"));
        String observation = create("dr.patel", bloodPressure(patient));
        String reason = "Collapsed at the bus station " + System.nanoTime();
        assertThat(api("nurse.okafor").withHeader("X-Purpose-Of-Use", "ETREAT")
                .withHeader("X-Break-Glass-Reason", reason).get("/" + observation).status()).isEqualTo(200);
        awaitAlertsDelivered();

        signIn("dpo.williams");
        browser.waitForText(By.tagName("h1"), "Data protection");
        assertThat(browser.unlabelledFields()).as("every field has its label").isEmpty();
        assertThat(browser.pageText()).contains(reason).contains("Chain verification: Intact");
        browser.screenshot("dpo-1-queue");

        String entry = "//li[contains(., '" + reason + "')]";
        browser.find(By.xpath(entry + "//textarea")).sendKeys("Appropriate: unconscious, no GP contact possible");
        browser.click(By.xpath(entry + "//button"));

        browser.waitForText(By.tagName("main"), "Reviewed: it has left the queue.");
        assertThat(browser.pageText()).doesNotContain(reason);
        browser.screenshot("dpo-2-reviewed");
    }

    @Test
    void aPatientOptsOutSeesTheTrustsEarlierLookAndTheirPracticeIsTold() {
        String patient = hughes();
        String observation = create("dr.patel", bloodPressure(patient));
        startCare("nurse.okafor", patient);
        assertThat(api("nurse.okafor").get("/" + observation).status()).isEqualTo(200);

        signIn("patient.hughes");
        browser.waitForText(By.tagName("h1"), "Your shared care record");
        assertThat(browser.find(By.id("who-looked")).getText()).contains("a clinician").contains("to care for you");
        browser.screenshot("patient-1-who-looked");

        browser.click(By.id("opt-out"));

        browser.waitForText(By.id("your-choice"), "You have opted out");
        assertThat(browser.pageText()).contains("Your GP practice has been told");
        browser.screenshot("patient-2-opted-out");
        assertThat(api("nurse.okafor").get("/" + observation).status()).isEqualTo(404);
        awaitAlertsDelivered();
        assertThat(FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class,
                api("dr.patel").get("/Communication?subject=" + patient).body()).getEntry())
                .extracting(e -> ((Communication) e.getResource()).getPayloadFirstRep().getContentStringType()
                        .getValue())
                .anySatisfy(text -> assertThat(text).contains("opted out of sharing in the local scheme"));

        browser.asPhone();
        browser.click(By.id("withdraw-opt-out"));
        browser.waitForText(By.id("your-choice"), "Your record is shared");
        assertThat(browser.fitsWidth()).as("readable on a phone, no sideways scrolling").isTrue();
        browser.screenshot("patient-3-on-a-phone");
        assertThat(api("nurse.okafor").get("/" + observation).status()).isEqualTo(200);

        browser.click(By.xpath("//button[normalize-space()='Sign out']"));
        browser.waitForText(By.tagName("h1"), "You have signed out");
        browser.screenshot("patient-4-signed-out");
        browser.open(console());
        browser.waitFor(By.id("username"));
        assertThat(browser.currentUrl()).as("Keycloak's session ended too: it asks again")
                .contains("/protocol/openid-connect/auth");
    }

    @Test
    void aPatientCannotReachAnotherPatientsReportFromTheConsoleOrTheApi() {
        String hughes = hughes();

        signIn("patient.nowak");
        browser.open(console() + "/practice");

        browser.waitForText(By.tagName("h1"), "You cannot use this page");
        browser.screenshot("patient-5-refused");
        RawResponse report = api("patient.nowak").get("/" + hughes + "/$access-report");
        assertThat(report.status()).isEqualTo(403);
        assertThat(report.body()).contains("a patient sees only their own record's access report");
    }

    @Test
    void theConsoleSessionIsASecureHttpOnlyCookieFormsNeedTheirCsrfTokenAndPagesCarryACsp() throws Exception {
        signIn("dr.patel");
        browser.waitForText(By.tagName("h1"), "Your practice");
        Cookie session = browser.cookie("SCR_CONSOLE_SESSION");
        assertThat(session.isSecure()).isTrue();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Lax");

        HttpResponse<String> forged = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(console() + "/practice/sharing"))
                .header("Cookie", "SCR_CONSOLE_SESSION=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("sharing=opt-in")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("no CSRF token").isEqualTo(403);
        assertThat(api("dr.patel").get("/$sharing-settings?organisation=Y90001").body())
                .doesNotContain("\"opt-in\"");

        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(console()))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'").contains("frame-ancestors 'none'"));
        assertThat(page.headers().firstValue("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith("/console/oauth2/authorization/keycloak"));
    }

    private void signIn(String username) {
        browser.open(console());
        browser.screenshot("sign-in-" + username);
        browser.signInOnKeycloak(username, KeycloakSupport.DEMO_PASSWORD, console());
    }

    private String console() {
        return "http://127.0.0.1:" + port + "/console";
    }

    private FhirServerClient api(String username) {
        return new FhirServerClient(port, KeycloakSupport.userToken(username));
    }

    private String create(String username, Resource resource) {
        return api(username).fhir().create().resource(resource).execute().getId().toUnqualifiedVersionless()
                .getValue();
    }

    /** The user's organisation starts caring for a Riverside patient by its NHS number and date of birth. */
    private void startCare(String username, String patientId) {
        Patient patient = api("dr.patel").fhir().read().resource(Patient.class).withUrl(patientId).execute();
        Parameters parameters = new Parameters();
        parameters.addParameter("nhsNumber", patient.getIdentifierFirstRep().getValue());
        parameters.addParameter("birthDate", patient.getBirthDateElement());
        api(username).fhir().operation().onType("Patient").named("$start-care").withParameters(parameters)
                .returnResourceType(EpisodeOfCare.class).execute();
    }

    /** The demo patient Margaret Hughes, whom the realm's patient.hughes is (by NHS number). */
    private String hughes() {
        Bundle found = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, api("dr.patel")
                .get("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C" + HUGHES_NHS_NUMBER).body());
        if (found.hasEntry()) {
            return found.getEntryFirstRep().getResource().getIdElement().toUnqualifiedVersionless().getValue();
        }
        Patient hughes = RecordFixtures.patient(HUGHES_NHS_NUMBER, "Hughes");
        hughes.getNameFirstRep().getGiven().clear();
        hughes.getNameFirstRep().addGiven("Margaret");
        return create("dr.patel", hughes);
    }

    private String nhsNumberOf(String patient) {
        Patient read = FhirServerClient.FHIR.newJsonParser().parseResource(Patient.class,
                api("dr.patel").get("/" + patient).body());
        return read.getIdentifierFirstRep().getValue();
    }

    private static Observation bloodPressure(String patient) {
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("75367002");
        observation.setSubject(new Reference(patient));
        observation.setEffective(new DateTimeType(new Date()));
        return observation;
    }

    private void shareByDefault(String practice) {
        Parameters reset = new Parameters();
        reset.addParameter().setName("organisation").setValue(new StringType(practice));
        reset.addParameter().setName("sharing").setValue(new CodeType("share-by-default"));
        api("dr.patel").fhir().operation().onServer().named("$set-sharing-settings").withParameters(reset).execute();
    }

    private void recordAgreement(String organisation, String start) {
        Parameters agreement = new Parameters();
        agreement.addParameter().setName("organisation").setValue(new StringType(organisation));
        agreement.addParameter().setName("start").setValue(new DateType(start));
        api("admin.scr").withHeader("X-Purpose-Of-Use", "HOPERAT").fhir().operation().onServer()
                .named("$set-sharing-agreement").withParameters(agreement)
                .execute();
    }

    /** The agreement removed again (the API offers no removal), so that the other journeys see the record as before. */
    private void forgetAgreement(String organisation) {
        new JdbcTemplate(dataSource).update("delete from SCR_SHARING_AGREEMENT where ODS_CODE = ?", organisation);
        stamps.bumpEveryPatient();
    }

    private void awaitAlertsDelivered() {
        AlertOutbox.awaitDelivered(dataSource);
    }
}
