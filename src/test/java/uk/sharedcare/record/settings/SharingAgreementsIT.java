package uk.sharedcare.record.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static uk.sharedcare.support.HiddenVersusMissing.assertHiddenLooksMissing;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Type;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.support.AuditTrailReader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.HiddenVersusMissing.Probe;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.TestIdentityProvider;

/**
 * Organisations' sharing agreements (rule 11), recorded by an admin at runtime over the API: outside its agreement
 * an organisation's data is not shared and it sees nothing of others', effective at the next request, explained,
 * audited, and recorded by admins alone. Each test has a practice and a trust of its own, since an agreement
 * governs every patient of the server.
 */
@PostgresFhirServerTest
class SharingAgreementsIT {

    private static final TestIdentityProvider.Token ADMIN = TestIdentityProvider.token().subject("admin.scr")
            .roles("admin").organisation("QZ9").purposes("HOPERAT");
    private static final LocalDate TODAY = LocalDate.now(ZoneId.of("Europe/London"));

    @LocalServerPort
    int port;

    private BoroughScenario borough;
    private String practice;
    private String trust;
    private TestIdentityProvider.Token practiceGp;
    private TestIdentityProvider.Token trustNurse;
    private FhirServerClient nurse;
    private String patient;
    private String observation;
    private String episode;

    @BeforeEach
    void aPracticesPatientInTheCareOfATrust() {
        borough = new BoroughScenario(port);
        int unique = ThreadLocalRandom.current().nextInt(1000, 9999);
        practice = "Y7" + unique;
        trust = "R7" + unique;
        practiceGp = TestIdentityProvider.token().subject("gp.of." + practice).roles("gp").organisation(practice)
                .purposes("TREAT");
        trustNurse = TestIdentityProvider.token().subject("nurse.of." + trust).roles("clinician").organisation(trust)
                .purposes("TREAT", "ETREAT");
        patient = borough.patientAt(practice, practiceGp, "1950-05-01");
        observation = borough.bloodPressure(practiceGp, patient);
        episode = borough.episodeOfCare(trustNurse, trust, patient);
        nurse = new FhirServerClient(port, trustNurse.sign());
    }

    @Test
    void aTrustWhoseAgreementHasEndedSeesNothingOfThePracticesRecordAndItLooksMissing() {
        assertThat(nurse.get("/" + observation).status()).as("no agreement on record, none required").isEqualTo(200);

        record(trust, TODAY.minusYears(1), TODAY.minusDays(1));

        assertHiddenLooksMissing(nurse, Probe.get("/Observation/" + HiddenVersusMissing.TARGET), idPart(observation));
        assertThat(entries(nurse.get("/Observation?patient=" + patient))).as("nor in a search").isZero();
        assertThat(explainedFor(trust)).contains("SHARING_AGREEMENT").contains(trust + "'s sharing agreement has ended");
        assertThat(nurse.get("/" + episode).status()).as("what the trust recorded itself").isEqualTo(200);
    }

    @Test
    void aPracticeWhoseAgreementHasEndedNoLongerSharesItsRecordButStillSeesItsOwn() {
        record(practice, TODAY.minusYears(1), TODAY.minusDays(1));

        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
        assertThat(new FhirServerClient(port, practiceGp.sign()).get("/" + observation).status()).isEqualTo(200);
        assertThat(new FhirServerClient(port, practiceGp.sign()).get("/" + episode).status())
                .as("nor does it see others' while outside").isEqualTo(404);
    }

    @Test
    void anAgreementThatHasNotStartedSharesNothingUntilItsFirstDay() {
        record(trust, TODAY.plusDays(1), null);

        assertThat(nurse.get("/" + observation).status()).isEqualTo(404);
        assertThat(explainedFor(trust)).contains(trust + "'s sharing agreement has not started");
    }

    @Test
    void anAgreementInForceSharesUntilItsLastDayAndTheAnswerSaysSo() {
        Parameters recorded = record(trust, TODAY.minusYears(1), TODAY);

        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
        assertThat(value(recorded, "takesPart")).isEqualTo("true");
        assertThat(value(recorded, "start")).isEqualTo(TODAY.minusYears(1).toString());
        assertThat(value(recorded, "end")).isEqualTo(TODAY.toString());
        assertThat(value(read(trustNurse, trust), "auditEvent")).isEqualTo(value(recorded, "auditEvent"));
        assertThat(explainedFor(trust)).contains(trust + "'s sharing agreement is in force");
    }

    @Test
    void onlyAnAdminRecordsAnAgreementNotEvenTheOrganisationsOwnGpAndOthersCannotReadIt() {
        RawResponse refused = post(practiceGp, parameters(practice, new DateType("2020-01-01"),
                new DateType(TODAY.minusDays(1).toString())));

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("only an admin records an organisation's sharing agreement");
        assertThat(value(read(practiceGp, practice), "source")).isEqualTo("no agreement on record, and the policy"
                + " requires none");
        assertThat(nurse.get("/" + observation).status()).isEqualTo(200);
        assertThat(nurse.get("/$sharing-agreement?organisation=" + practice).status()).isEqualTo(403);
    }

    @Test
    void datesThatAreNotUnderstoodAreRefusedAndNothingChanges() {
        List<Parameters> bad = List.of(
                parameters(trust, new DateType(TODAY.toString()), new DateType(TODAY.minusDays(1).toString())),
                parameters(trust, null, new DateType(TODAY.minusDays(1).toString())),
                parameters(trust, new DateTimeType("2026-01-01T10:00:00Z"), null),
                parameters("not an ods code", new DateType(TODAY.toString()), null));

        for (Parameters request : bad) {
            RawResponse refused = post(ADMIN, request);
            assertThat(refused.status()).as(FhirServerClient.FHIR.newJsonParser().encodeResourceToString(request))
                    .isEqualTo(400);
            assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics()).isNotBlank();
        }
        assertThat(value(read(ADMIN, trust), "takesPart")).isEqualTo("true");
        assertThat(read(ADMIN, trust).getParameter()).noneMatch(p -> p.getName().equals("start"));
    }

    @Test
    void aChangeIsOnTheAuditTrailWithTheAdminWhoMadeItAndTheRuleThatAllowedIt() {
        Instant before = Instant.now().minusSeconds(1);

        Parameters recorded = record(trust, LocalDate.of(2025, 4, 1), LocalDate.of(2027, 3, 31));

        List<AuditEvent> changes = new AuditTrailReader(port).events("date=ge" + before.truncatedTo(ChronoUnit.SECONDS))
                .stream().filter(event -> event.getEntity().stream().anyMatch(entity ->
                        ("sharing agreement of " + trust + ": from 2025-04-01 to 2027-03-31")
                                .equals(entity.getDescription())))
                .toList();
        assertThat(changes).singleElement().satisfies(event -> {
            assertThat(event.getIdElement().toUnqualifiedVersionless().getValue())
                    .isEqualTo(value(recorded, "auditEvent"));
            assertThat(event.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("admin.scr");
            assertThat(event.getEntity()).anySatisfy(entity -> assertThat(entity.getDetail())
                    .anySatisfy(detail -> assertThat(detail.getValue().primitiveValue())
                            .isEqualTo("SHARING_AGREEMENT")));
        });
    }

    private Parameters record(String organisation, LocalDate start, LocalDate end) {
        return asAdmin().fhir().operation().onServer()
                .named("$set-sharing-agreement").withParameters(parameters(organisation, new DateType(start.toString()),
                        end == null ? null : new DateType(end.toString()))).execute();
    }

    private static Parameters parameters(String organisation, Type start, Type end) {
        Parameters request = new Parameters();
        request.addParameter().setName("organisation").setValue(new StringType(organisation));
        if (start != null) {
            request.addParameter().setName("start").setValue(start);
        }
        if (end != null) {
            request.addParameter().setName("end").setValue(end);
        }
        return request;
    }


    /** The demo realm's admin, whose only purpose of use is HOPERAT, naming it. */
    private FhirServerClient asAdmin() {
        return new FhirServerClient(port, ADMIN.sign()).withHeader("X-Purpose-Of-Use", "HOPERAT");
    }

    private RawResponse post(TestIdentityProvider.Token who, Parameters request) {
        return client(who).send("POST", "/$set-sharing-agreement",
                FhirServerClient.FHIR.newJsonParser().encodeResourceToString(request), "application/fhir+json");
    }

    private Parameters read(TestIdentityProvider.Token who, String organisation) {
        RawResponse answer = client(who).get("/$sharing-agreement?organisation="
                + organisation);
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Parameters.class, answer.body());
    }

    private FhirServerClient client(TestIdentityProvider.Token who) {
        return who == ADMIN ? asAdmin() : new FhirServerClient(port, who.sign());
    }

    private String explainedFor(String organisation) {
        return new AuditTrailReader(port).dpo().get("/$explain-access?resource=" + observation + "&organisation="
                + organisation + "&role=clinician").body();
    }

    private static int entries(RawResponse search) {
        assertThat(search.status()).as(search.body()).isEqualTo(200);
        return FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, search.body()).getEntry().size();
    }

    private static String value(Parameters parameters, String name) {
        Type found = parameters.getParameter().stream().filter(p -> p.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in the answer")).getValue();
        return found instanceof Reference reference ? reference.getReference() : found.primitiveValue();
    }

    private static String idPart(String id) {
        return id.substring(id.indexOf('/') + 1);
    }
}
