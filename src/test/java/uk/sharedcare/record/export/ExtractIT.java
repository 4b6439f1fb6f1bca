package uk.sharedcare.record.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.commons.codec.digest.DigestUtils;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.web.server.LocalServerPort;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.consent.PolicyRule;
import uk.sharedcare.server.Application;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;
import uk.sharedcare.support.TestIdentityProvider.Token;
import uk.sharedcare.support.TestIdentityProvider;
import uk.sharedcare.support.TestServerInitializer;

/**
 * The pseudonymised extract as commissioners and the analytics body meet it: Bulk Data kick-off, polling and
 * download over HTTP, over one Group of patients covering every exclusion rule, so other tests' data stays out.
 */
@PostgresFhirServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExtractIT {

    private static final String READ_V2 = "http://read.info/readv2";
    private static final ObjectMapper JSON = new ObjectMapper();

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    ExtractService extracts;

    @org.springframework.beans.factory.annotation.Autowired
    javax.sql.DataSource dataSource;

    private final String surname = "Marwood" + UUID.randomUUID().toString().substring(0, 6);
    private final String month = YearMonth.now(ZoneId.of("Europe/London")).toString();
    private final Map<String, String> patients = new LinkedHashMap<>();
    private final List<String> sourceIds = new ArrayList<>();
    private final List<String> identifyingText = new ArrayList<>();
    private final Map<String, String> nhsNumbers = new LinkedHashMap<>();
    private String group;
    private String organisation;

    @BeforeAll
    void boroughWithEveryKindOfPatient() {
        BoroughScenario borough = new BoroughScenario(port);
        String included = identifiablePatient(borough, "Included", "1961-07-14", "SW1A 1AA", "07700 900123");
        patients.put("included", included);
        keep(borough.bloodPressure(Callers.drPatel(), included));
        keep(borough.condition(Callers.drPatel(), included, "86406008")); // HIV: sensitive, never extracted
        keep(borough.encounter(Callers.drPatel(), included, "Seen with her daughter Rosie about falls"));
        identifyingText.add("Seen with her daughter Rosie about falls");
        keep(borough.episodeOfCare(Callers.swMurphy(), Callers.BOROUGH_COUNCIL, included));
        keep(borough.carePlan(Callers.swMurphy(), included, "Home support for Mrs " + surname));
        identifyingText.add("Home support for Mrs " + surname);

        String type1 = identifiablePatient(borough, "TypeOne", "1970-01-02", "N1 9GU", "07700 900001");
        keep(borough.observation(Callers.drPatel(), type1, READ_V2, "9Nu0."));
        patients.put("type1", type1);
        String type2 = identifiablePatient(borough, "TypeTwo", "1971-02-03", "N1 9GU", "07700 900002");
        keep(borough.observation(Callers.drPatel(), type2, READ_V2, "9Nu4."));
        patients.put("type2", type2);
        String optedOut = identifiablePatient(borough, "OptedOut", "1972-03-04", "E2 8AA", "07700 900003");
        keep(borough.privacyConsent(Callers.drPatel(), optedOut, false));
        patients.put("optedOut", optedOut);
        String child = identifiablePatient(borough, "Child", "2015-06-07", "E2 8AA", "07700 900004");
        patients.put("child", child);
        String mentalIllness = identifiablePatient(borough, "Psych", "1980-04-05", "E2 8AA", "07700 900005");
        keep(borough.condition(Callers.drPatel(), mentalIllness, "58214004"));
        patients.put("mentalIllness", mentalIllness);
        String learningDisability = identifiablePatient(borough, "Ld", "1981-05-06", "E2 8AA", "07700 900006");
        keep(borough.condition(Callers.drPatel(), learningDisability, "110359009"));
        patients.put("learningDisability", learningDisability);
        String northgateNoOptIn = northgatePatient(borough, "NoOptIn");
        patients.put("northgateNoOptIn", northgateNoOptIn);
        String northgateOptedIn = northgatePatient(borough, "OptedIn");
        keep(borough.privacyConsent(Callers.drJones(), northgateOptedIn, true));
        patients.put("northgateOptedIn", northgateOptedIn);

        org.hl7.fhir.r4.model.Organization practice = new org.hl7.fhir.r4.model.Organization();
        practice.addIdentifier().setSystem(RecordFixtures.ODS_SYSTEM).setValue("Y9" + surname.substring(7, 10));
        practice.setName("Practice of " + surname);
        organisation = borough.create(Callers.drPatel(), practice);

        Group cohort = new Group();
        cohort.setType(Group.GroupType.PERSON);
        cohort.setActual(true);
        patients.values().forEach(p -> cohort.addMember().setEntity(new Reference(p)));
        group = borough.create(Callers.drPatel(), cohort);
        keep(group);
    }

    @Test
    void commissionerReceivesOnlyPatientsNoRuleLeavesOut() throws Exception {
        Extract extract = export(Callers.analystChen(), group);

        assertThat(extract.idsOf("Patient")).containsExactlyInAnyOrder(
                pseudonym("QZ9", patients.get("included")), pseudonym("QZ9", patients.get("northgateOptedIn")));
    }

    @Test
    void manifestCountsEveryExclusionByRuleAndNamesNoOne() throws Exception {
        Extract extract = export(Callers.analystChen(), group);

        JsonNode excluded = extract.summary().get("excluded");
        assertThat(excluded.get("patients").get("gp-dissent-type-1").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("gp-dissent-type-2").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("local-opt-out").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("no-opt-in").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("exempt-cohort-child").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("exempt-cohort-mental-illness").asLong()).isEqualTo(1);
        assertThat(excluded.get("patients").get("exempt-cohort-learning-disability").asLong()).isEqualTo(1);
        assertThat(excluded.get("resources").get("sensitive-data").asLong()).isEqualTo(1);
        assertThat(extract.summary().get("patientsIncluded").asLong()).isEqualTo(2);
        assertThat(extract.manifest().toString()).doesNotContain(surname)
                .doesNotContain(patients.get("type1").substring("Patient/".length()));
    }

    @Test
    void noDirectIdentifierOrSourceIdSurvivesInAnyOutputField() throws Exception {
        Extract extract = export(Callers.analystChen(), group);

        String everything = String.join("\n", extract.files().values());
        assertThat(everything).isNotBlank();
        for (String identifying : identifyingText) {
            assertThat(everything).as("output contains '%s'", identifying).doesNotContain(identifying);
        }
        for (String id : sourceIds) {
            assertThat(everything).as("output contains source id %s", id)
                    .doesNotContain(id.substring(id.indexOf('/') + 1));
        }
        assertThat(everything).doesNotContain("https://fhir.nhs.uk/Id/nhs-number").doesNotContain("\"telecom\"")
                .doesNotContain("\"name\"").doesNotContain("\"text\"").doesNotContain("\"display\"");
        JsonNode included = extract.resource("Patient", pseudonym("QZ9", patients.get("included")));
        assertThat(included.get("birthDate").asText()).isEqualTo("1961");
        assertThat(included.get("address").get(0).get("postalCode").asText()).isEqualTo("SW1A");
        assertThat(included.get("address").get(0).size()).isEqualTo(1);
    }

    @Test
    void referencesPointAtThePatientsPseudonym() throws Exception {
        Extract extract = export(Callers.analystChen(), group);

        String patient = "Patient/" + pseudonym("QZ9", patients.get("included"));
        assertThat(extract.lines("Observation")).isNotEmpty().allSatisfy(observation ->
                assertThat(observation.get("subject").get("reference").asText()).isEqualTo(patient));
        assertThat(extract.lines("CarePlan")).singleElement().satisfies(plan ->
                assertThat(plan.get("subject").get("reference").asText()).isEqualTo(patient));
        assertThat(extract.lines("Condition")).as("the sensitive condition is left out").isEmpty();
    }

    @Test
    void sameMonthOverSameDataGivesTheSameFilesAndPseudonymsAreStable() throws Exception {
        Extract first = export(Callers.analystChen(), group);
        Extract second = export(Callers.analystChen(), group);

        assertThat(second.files()).isEqualTo(first.files());
    }

    @Test
    void theFilesAndCountsDoNotDependOnHowManyPatientsAreTakenTogether() throws Exception {
        Extract usual = export(Callers.analystChen(), group);
        Extract everyone = exportFrom(Callers.analystChen(), "/$export?month=" + month);
        try {
            extracts.chunkSize(3);
            Extract inThrees = export(Callers.analystChen(), group);
            extracts.chunkSize(50);
            Extract everyoneInFifties = exportFrom(Callers.analystChen(), "/$export?month=" + month);

            assertThat(inThrees.files()).isEqualTo(usual.files());
            assertThat(inThrees.summary().get("excluded")).isEqualTo(usual.summary().get("excluded"));
            assertThat(batch2InstanceOf(inThrees)).as("run as HAPI's batch2 job, in chunks of three")
                    .containsEntry("DEFINITION_ID", "scr-monthly-extract").containsEntry("STAT", "COMPLETED")
                    .hasEntrySatisfying("PARAMS_JSON_VC",
                            params -> assertThat(String.valueOf(params)).contains("\"chunkSize\":3"));
            assertThat(everyoneInFifties.files()).isEqualTo(everyone.files());
            assertThat(everyoneInFifties.summary().get("excluded")).isEqualTo(everyone.summary().get("excluded"));
        } finally {
            extracts.chunkSize(ExtractRunner.CHUNK);
        }
    }

    @Test
    void eachRecipientGetsItsOwnPseudonyms() throws Exception {
        Extract commissioners = export(Callers.analystChen(), group);
        Extract analytics = export(Callers.analyticsRecipient(), group);

        assertThat(analytics.idsOf("Patient")).containsExactlyInAnyOrder(
                pseudonym("X9Z01", patients.get("included")), pseudonym("X9Z01", patients.get("northgateOptedIn")));
        assertThat(analytics.idsOf("Patient")).doesNotContainAnyElementsOf(commissioners.idsOf("Patient"));
    }

    @Test
    void directCareUsersOtherSystemsAndUnapprovedPurposesAreRefused() {
        Token researchAtTheIcb = Callers.analystChen().purposes("HOPERAT", "HRESCH");

        RawResponse gp = kickOff(Callers.drPatel(), "TREAT");
        assertThat(gp.status()).isEqualTo(403);
        assertThat(gp.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("do not take extracts");
        RawResponse ehr = kickOff(Callers.riversideEhrFeed(), "TREAT");
        assertThat(ehr.status()).isEqualTo(403);
        assertThat(ehr.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("Y90001 is not an extract recipient");
        assertThat(kickOff(Callers.token("nurse.x", "clinician", Callers.BOROUGH_TRUST), "TREAT").status())
                .isEqualTo(403);
        RawResponse research = kickOff(researchAtTheIcb, "HRESCH");
        assertThat(research.status()).isEqualTo(403);
        assertThat(research.operationOutcome().getIssueFirstRep().getDiagnostics())
                .contains("HRESCH is not a purpose QZ9 receives extracts for");
        assertThat(new FhirServerClient(port).get("/Group/" + group.split("/")[1] + "/$export").status())
                .isEqualTo(401);
    }

    @Test
    void systemLevelExportCoversEveryPatientUnderTheSameRules() throws Exception {
        Extract everyone = export(Callers.analyticsRecipient(), null);

        assertThat(everyone.idsOf("Patient")).contains(pseudonym("X9Z01", patients.get("included")))
                .doesNotContain(pseudonym("X9Z01", patients.get("type1")),
                        pseudonym("X9Z01", patients.get("child")), pseudonym("X9Z01", patients.get("optedOut")));
        JsonNode practice = everyone.resource("Organization", pseudonym("X9Z01", organisation));
        assertThat(practice.get("identifier").get(0).get("system").asText()).isEqualTo(RecordFixtures.ODS_SYSTEM);
        assertThat(practice.has("name")).isFalse();
    }

    @Test
    void patientLevelExportCoversEveryPatientsCompartmentUnderTheSameRules() throws Exception {
        Extract patientLevel = exportFrom(Callers.analyticsRecipient(), "/Patient/$export?month=" + month);

        assertThat(patientLevel.files().keySet()).isNotEmpty().doesNotContain("Organization")
                .isSubsetOf(ExtractRequest.PATIENT_COMPARTMENT_TYPES);
        assertThat(patientLevel.idsOf("Patient")).contains(pseudonym("X9Z01", patients.get("included")))
                .doesNotContain(pseudonym("X9Z01", patients.get("type1")),
                        pseudonym("X9Z01", patients.get("child")), pseudonym("X9Z01", patients.get("optedOut")));
        assertThat(client(Callers.analyticsRecipient()).withHeader("Prefer", "respond-async")
                .get("/Patient/$export?month=" + month + "&_type=Organization").status()).isEqualTo(400);
    }

    @Test
    void theManifestTellsNoClientItsFilesHaveExpiredAndTimesItToTheMillisecond() throws Exception {
        RawResponse manifest = awaitManifest(Callers.analystChen(), kickOff(Callers.analystChen(), null));

        assertThat(manifest.headers().firstValue("Expires")).isEmpty();
        assertThat(manifest.header("Cache-Control")).contains("no-store");
        assertThat(JSON.readTree(manifest.body()).get("transactionTime").asText())
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    }

    @Test
    void anExtractOfAMonthBeforeAnyDataSaysWhyItHoldsNoPatient() throws Exception {
        Extract empty = exportFrom(Callers.analyticsRecipient(), "/$export?month=2020-01");

        assertThat(empty.summary().get("patientsIncluded").asLong()).isZero();
        assertThat(empty.summary().get("note").asText()).contains("none was recorded before the cut-off")
                .contains("2020-02-01T00:00:00.000Z");
    }

    @Test
    void theMonthlyScheduleRunsEachRecipientsMonthOnceAcrossNodes() throws InterruptedException {
        YearMonth lastMonth = YearMonth.parse(month).minusMonths(1);
        ExtractRequest request = scheduledRequest(lastMonth, "X9Z01");

        extracts.runScheduled(request);
        extracts.runScheduled(request); // a second node, or a second tick: claimed already, so nothing runs

        assertThat(finished("scheduled-X9Z01-" + lastMonth).status()).isEqualTo(ExtractJob.Status.COMPLETE);
        assertThat(runsAudited("X9Z01", lastMonth.toString())).isEqualTo(1);
    }

    @Test
    void theScheduledRunChecksInAsItGoesSoNoNodeTakesItForAbandoned() throws InterruptedException {
        YearMonth twoMonthsAgo = YearMonth.parse(month).minusMonths(2);
        ExtractRequest request = scheduledRequest(twoMonthsAgo, "QZ9");

        extracts.runScheduled(request);

        ExtractJob job = finished("scheduled-QZ9-" + twoMonthsAgo);
        assertThat(job.status()).isEqualTo(ExtractJob.Status.COMPLETE);
        assertThat(job.patientsDone()).as("patients reported done while it ran").isPositive();
    }

    @Test
    void aScheduledRunWithoutANationalDataOptOutAnswerFailsAndIsRecordedWithWhy() throws Exception {
        YearMonth threeMonthsAgo = YearMonth.parse(month).minusMonths(3);
        Files.delete(TestServerInitializer.NATIONAL_OPT_OUT_ANSWER);
        try {
            assertThatThrownBy(() -> extracts.runScheduled(scheduledRequest(threeMonthsAgo, "QZ9")))
                    .isInstanceOf(ExtractService.NotStartedException.class);
        } finally {
            TestServerInitializer.answerWithNobodyOptedOut();
        }

        ExtractJob job = extracts.job("scheduled-QZ9-" + threeMonthsAgo).orElseThrow();
        assertThat(job.status()).isEqualTo(ExtractJob.Status.FAILED);
        assertThat(job.error()).get().asString().contains("no answer of the National Data Opt-out service");
        List<AuditEvent> runs = exportEvents().stream()
                .filter(e -> e.getEntityFirstRep().getDescription().equals(ExtractAudit.EXTRACT_ENTITY))
                .filter(e -> "QZ9".equals(details(e).get("recipient"))
                        && threeMonthsAgo.toString().equals(details(e).get("month")))
                .toList();
        assertThat(runs).singleElement().satisfies(run -> {
            assertThat(run.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._8);
            assertThat(run.getOutcomeDesc()).contains(PolicyRule.NATIONAL_DATA_OPT_OUT.plainWords());
        });
    }

    /** The row of the batch2 job instance that made an extract, from HAPI's own table. */
    private Map<String, Object> batch2InstanceOf(Extract extract) {
        org.springframework.jdbc.core.JdbcTemplate jdbc = new org.springframework.jdbc.core.JdbcTemplate(dataSource);
        String instance = jdbc.queryForObject("select BATCH2_INSTANCE from SCR_EXTRACT_JOB where ID = ?", String.class,
                extract.jobId());
        return jdbc.queryForMap("select DEFINITION_ID, STAT, PARAMS_JSON_VC from BT2_JOB_INSTANCE where ID = ?",
                instance);
    }

    /** The job once it has ended: a batch2 job, run by whichever node's workers take its chunks. */
    private ExtractJob finished(String jobId) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(120);
        while (Instant.now().isBefore(deadline)) {
            ExtractJob job = extracts.job(jobId).orElseThrow();
            if (job.status() != ExtractJob.Status.ACCEPTED && job.status() != ExtractJob.Status.RUNNING) {
                return job;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Extract " + jobId + " still running after two minutes");
    }

    /** What the monthly schedule asks for: a recipient's commissioning extract of every type. */
    private static ExtractRequest scheduledRequest(YearMonth month, String recipient) {
        return new ExtractRequest(month, recipient, PurposeOfUse.HOPERAT,
                java.util.Set.copyOf(ExtractRequest.EXTRACTED_TYPES), java.util.Optional.empty(),
                java.util.Optional.empty());
    }

    @Test
    void deletingTheStatusUrlCancelsTheJobAndItAnswers404Afterwards() {
        String status = kickOff(Callers.analystChen(), null).header("Content-Location");
        String path = "/" + status.substring(status.indexOf("$export-poll-status"));
        FhirServerClient analyst = client(Callers.analystChen());

        assertThat(analyst.send("DELETE", path, new byte[0], Map.of()).status()).isEqualTo(202);
        assertThat(analyst.get(path).status()).isEqualTo(404);
    }

    @Test
    void sinceLeavesOutResourcesNotChangedSinceThen() throws Exception {
        String since = Instant.now().plus(Duration.ofDays(1)).toString();
        RawResponse accepted = client(Callers.analystChen()).withHeader("Prefer", "respond-async")
                .get("/Group/" + group.split("/")[1] + "/$export?month=" + month + "&_since=" + since);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);

        JsonNode manifest = JSON.readTree(awaitManifest(Callers.analystChen(), accepted).body());

        assertThat(manifest.get("output")).isEmpty();
        assertThat(manifest.get("extension").get(ExtractManifest.EXTENSION_URL).get("patientsIncluded").asLong())
                .isEqualTo(2);
    }

    @Test
    void analyticsBodyMayTakeAResearchExtractWhereThePolicyAllowsIt() {
        assertThat(kickOff(Callers.analyticsRecipient(), "HRESCH").status()).isEqualTo(202);
    }

    @Test
    void aJobIsInvisibleToAnyoneButWhoAskedForIt() {
        String status = kickOff(Callers.analystChen(), null).header("Content-Location");
        String path = "/" + status.substring(status.indexOf("$export-poll-status"));
        Token colleague = TestIdentityProvider.token().subject("analyst.other").roles("commissioner")
                .organisation(Callers.INTEGRATED_CARE_BOARD).purposes("HOPERAT");

        assertThat(client(colleague).get(path).status()).isEqualTo(404);
        assertThat(client(Callers.analyticsRecipient()).get(path).status()).isEqualTo(404);
        assertThat(client(Callers.analystChen()).get("/$export-poll-status?_jobId=no-such-job").status())
                .isEqualTo(404);
    }

    @Test
    void kickOffWithoutRespondAsyncOrWithUnsupportedParametersIsABadRequest() {
        FhirServerClient analyst = client(Callers.analystChen());
        String export = "/Group/" + group.split("/")[1] + "/$export";

        assertThat(analyst.get(export).status()).isEqualTo(400);
        RawResponse typeFilter = analyst.withHeader("Prefer", "respond-async").get(export + "?_typeFilter=x");
        assertThat(typeFilter.status()).isEqualTo(400);
        assertThat(typeFilter.operationOutcome().getIssueFirstRep().getDiagnostics()).contains("_typeFilter");
        assertThat(analyst.withHeader("Prefer", "respond-async").get(export + "?_type=Binary").status())
                .isEqualTo(400);
        assertThat(analyst.withHeader("Prefer", "respond-async").get(export + "?month=2999-01").status())
                .isEqualTo(400);
        assertThat(analyst.withHeader("Prefer", "respond-async").get("/Group/no-such-group/$export").status())
                .isEqualTo(404);
    }

    @Test
    void aPatientTheNationalDataOptOutAnswerDoesNotAllowIsLeftOutAndTheRunNamesTheAnswer() throws Exception {
        String answer = "# checked: " + today() + "\n# source: MESH reply NDOP-test-1\nNHS_NUMBER\n"
                + nhsNumbers.entrySet().stream().filter(e -> !e.getKey().equals(patients.get("northgateOptedIn")))
                        .map(e -> e.getValue() + "\n").collect(Collectors.joining());
        TestServerInitializer.writeNationalOptOutAnswer(answer);
        try {
            Extract extract = export(Callers.analystChen(), group);

            assertThat(extract.idsOf("Patient")).containsExactly(pseudonym("QZ9", patients.get("included")));
            JsonNode excluded = extract.summary().get("excluded").get("patients");
            assertThat(excluded.get("national-data-opt-out").asLong()).isEqualTo(1);
            assertThat(excluded.get("local-opt-out").asLong()).as("other rules count as before").isEqualTo(1);
            assertThat(extract.summary().get("patientsIncluded").asLong()).isEqualTo(1);
            JsonNode national = extract.summary().get("nationalDataOptOut");
            assertThat(national.get("checkedOn").asText()).isEqualTo(today().toString());
            assertThat(national.get("source").asText()).contains("MESH reply NDOP-test-1");
            assertThat(national.get("sha256").asText()).isEqualTo(DigestUtils.sha256Hex(answer));
            assertThat(national.get("entries").asInt()).isEqualTo(nhsNumbers.size() - 1);
            assertThat(national.get("meaning").asText()).isEqualTo("MAY_BE_USED");
            assertThat(extract.manifest().toString()).doesNotContain(nhsNumbers.get(patients.get("northgateOptedIn")));
            AuditEvent run = exportEvents().stream().filter(e -> extract.jobId().equals(details(e).get("job"))
                    && e.getEntityFirstRep().getDescription().equals(ExtractAudit.EXTRACT_ENTITY)).findFirst()
                    .orElseThrow();
            assertThat(details(run)).containsEntry("patients-excluded:national-data-opt-out", "1");
            assertThat(details(run).get("national-data-opt-out")).contains("answer checked on " + today())
                    .contains("sha256 " + DigestUtils.sha256Hex(answer));
            ExtractJob job = extracts.job(extract.jobId()).orElseThrow();
            ExtractResult result = extracts.resultOf(job);
            try (var left = Files.list(extracts.fileOf(job, result.files().get(0)).getParent())) {
                assertThat(left.map(file -> file.getFileName().toString()).toList())
                        .as("the run's copy of the answer (NHS numbers) and its parts are gone; only its files stay")
                        .containsExactlyInAnyOrderElementsOf(result.files().stream()
                                .map(ExtractResult.OutputFile::fileName).toList());
            }
        } finally {
            TestServerInitializer.answerWithNobodyOptedOut();
        }
    }

    @Test
    void withoutARecentUsableNationalDataOptOutAnswerNoExtractIsStarted() throws Exception {
        Map<String, String> answers = new LinkedHashMap<>();
        answers.put("no answer of the National Data Opt-out service", null);
        answers.put("31 days ago; an answer older than 30 days is not used",
                "# checked: " + today().minusDays(31) + "\n" + nhsNumbers.get(patients.get("included")) + "\n");
        answers.put("line 2 has no NHS number", "# checked: " + today() + "\n12345\n");
        try {
            for (Map.Entry<String, String> answer : answers.entrySet()) {
                if (answer.getValue() == null) {
                    Files.delete(TestServerInitializer.NATIONAL_OPT_OUT_ANSWER);
                } else {
                    TestServerInitializer.writeNationalOptOutAnswer(answer.getValue());
                }

                RawResponse refused = kickOff(Callers.analystChen(), null);

                assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                assertThat(refused.header("Content-Location")).as("no job").isNullOrEmpty();
                assertThat(refused.operationOutcome().getIssueFirstRep().getDiagnostics())
                        .startsWith(PolicyRule.NATIONAL_DATA_OPT_OUT.plainWords()).contains(answer.getKey());
            }
        } finally {
            TestServerInitializer.answerWithNobodyOptedOut();
        }
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneId.of("Europe/London"));
    }

    @Test
    void everyRunAndEveryDownloadIsOnTheAuditTrail() throws Exception {
        Extract extract = export(Callers.analystChen(), group);

        List<AuditEvent> exports = exportEvents().stream()
                .filter(e -> e.getEntity().stream().flatMap(entity -> entity.getDetail().stream())
                        .anyMatch(d -> d.getType().equals("job") && d.getValueStringType().getValue()
                                .equals(extract.jobId())))
                .toList();

        AuditEvent run = exports.stream().filter(e -> e.getEntityFirstRep().getDescription()
                .equals(ExtractAudit.EXTRACT_ENTITY)).findFirst().orElseThrow();
        assertThat(run.getAgentFirstRep().getWho().getIdentifier().getValue()).isEqualTo("analyst.chen");
        assertThat(details(run)).containsEntry("recipient", "QZ9").containsEntry("month", month)
                .containsEntry("patients-included", "2").containsEntry("patients-excluded:gp-dissent-type-1", "1");
        long downloads = exports.stream().filter(e -> e.getEntityFirstRep().getDescription()
                .equals(ExtractAudit.EXTRACT_ENTITY + " file")).count();
        assertThat(downloads).isEqualTo(extract.files().size());
    }

    @Test
    void extractCommandWritesTheSameFilesAsBulkExport(@org.junit.jupiter.api.io.TempDir Path out) throws Exception {
        Extract overHttp = export(Callers.analystChen(), group);
        List<String> args = new ArrayList<>(List.of("extract", "--month", month, "--recipient", "QZ9",
                "--group", group.split("/")[1], "--out", out.toString()));
        args.addAll(TestServerInitializer.anotherServersArguments());

        int exit = Application.runExtract(args.toArray(String[]::new));

        assertThat(exit).isZero();
        for (Map.Entry<String, String> file : overHttp.files().entrySet()) {
            assertThat(Files.readString(out.resolve(file.getKey() + ".ndjson"))).isEqualTo(file.getValue());
        }
        JsonNode manifest = JSON.readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("extension").get(ExtractManifest.EXTENSION_URL).get("excluded"))
                .isEqualTo(overHttp.summary().get("excluded"));
    }

    // --- the scenario -------------------------------------------------------------------------------------

    private String identifiablePatient(BoroughScenario borough, String given, String born, String postcode,
            String phone) {
        String nhsNumber = RecordFixtures.uniqueNhsNumber();
        Patient patient = RecordFixtures.patient(nhsNumber, surname);
        patient.getNameFirstRep().getGiven().clear();
        patient.getNameFirstRep().addGiven(given + "ina");
        patient.setBirthDateElement(new DateType(born));
        patient.addAddress().addLine("12 Mill Lane").setCity("Riverside").setPostalCode(postcode);
        patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue(phone);
        identifyingText.addAll(List.of(nhsNumber, surname, given + "ina", born, "12 Mill Lane", postcode,
                postcode.replace(" ", ""), phone));
        String reference = keep(borough.create(Callers.drPatel(), patient));
        nhsNumbers.put(reference, nhsNumber);
        return reference;
    }

    private String northgatePatient(BoroughScenario borough, String given) {
        String nhsNumber = RecordFixtures.uniqueNhsNumber();
        Patient patient = RecordFixtures.patientRegisteredAt(Callers.NORTHGATE_PRACTICE, nhsNumber, surname);
        patient.getNameFirstRep().getGiven().clear();
        patient.getNameFirstRep().addGiven(given + "ina");
        patient.setBirthDateElement(new DateType("1966-09-10"));
        identifyingText.addAll(List.of(nhsNumber, given + "ina", "1966-09-10"));
        String reference = keep(borough.create(Callers.drJones(), patient));
        nhsNumbers.put(reference, nhsNumber);
        return reference;
    }

    private String keep(String reference) {
        sourceIds.add(reference);
        return reference;
    }

    private static String pseudonym(String recipient, String reference) {
        String[] parts = reference.split("/");
        return new Pseudonyms(TestServerInitializer.EXTRACT_KEYS.get(recipient)).of(parts[0], parts[1]);
    }

    private long runsAudited(String recipient, String extractMonth) {
        return exportEvents().stream()
                .filter(e -> e.getEntityFirstRep().getDescription().equals(ExtractAudit.EXTRACT_ENTITY))
                .filter(e -> recipient.equals(details(e).get("recipient"))
                        && extractMonth.equals(details(e).get("month"))
                        && "scheduler".equals(e.getAgentFirstRep().getWho().getIdentifier().getValue()))
                .count();
    }

    private List<AuditEvent> exportEvents() {
        return new FhirServerClient(port, Callers.token("dpo.williams", "dpo", "QZ9").sign()).fhir().search()
                .forResource(AuditEvent.class).where(AuditEvent.TYPE.exactly()
                        .systemAndCode(ExtractAudit.DICOM_SYSTEM, "110106"))
                .count(200).returnBundle(Bundle.class).execute().getEntry().stream()
                .map(e -> (AuditEvent) e.getResource())
                .toList();
    }

    private static Map<String, String> details(AuditEvent event) {
        Map<String, String> details = new LinkedHashMap<>();
        event.getEntity().forEach(entity -> entity.getDetail().forEach(d ->
                details.put(d.getType(), d.getValueStringType().getValue())));
        return details;
    }

    // --- Bulk Data over HTTP ------------------------------------------------------------------------------

    /** Extract callers name their purpose: commissioning (HOPERAT) unless a test says otherwise. */
    private FhirServerClient client(Token caller) {
        return client(caller, "HOPERAT");
    }

    private FhirServerClient client(Token caller, String purpose) {
        return new FhirServerClient(port, caller.sign()).withHeader("X-Purpose-Of-Use", purpose);
    }

    private RawResponse kickOff(Token caller, String purpose) {
        return kickOff(caller, purpose, group);
    }

    /** A Group-level kick-off, or with no Group a system-level one. */
    private RawResponse kickOff(Token caller, String purpose, String groupReference) {
        String base = groupReference == null ? "" : "/Group/" + groupReference.split("/")[1];
        return client(caller, purpose == null ? "HOPERAT" : purpose).withHeader("Prefer", "respond-async")
                .get(base + "/$export?month=" + month);
    }

    private Extract export(Token caller, String groupReference) throws Exception {
        return exportAccepted(caller, kickOff(caller, null, groupReference));
    }

    /** An export kicked off at {@code path} (such as {@code /Patient/$export?month=2026-11}). */
    private Extract exportFrom(Token caller, String path) throws Exception {
        return exportAccepted(caller, client(caller).withHeader("Prefer", "respond-async").get(path));
    }

    private Extract exportAccepted(Token caller, RawResponse accepted) throws Exception {
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String status = accepted.header("Content-Location");
        String statusPath = "/" + status.substring(status.indexOf("$export-poll-status"));
        FhirServerClient client = client(caller);
        JsonNode manifest = JSON.readTree(awaitManifest(caller, accepted).body());
        assertThat(manifest.get("requiresAccessToken").asBoolean()).isTrue();
        Map<String, String> files = new LinkedHashMap<>();
        for (JsonNode output : manifest.get("output")) {
            String url = output.get("url").asText();
            RawResponse download = client.get("/" + url.substring(url.indexOf("$export-file")));
            assertThat(download.status()).isEqualTo(200);
            assertThat(download.contentType()).startsWith("application/fhir+ndjson");
            assertThat(download.body().lines().count()).isEqualTo(output.get("count").asLong());
            files.put(output.get("type").asText(), download.body());
            assertThat(new FhirServerClient(port).get("/" + url.substring(url.indexOf("$export-file"))).status())
                    .as("a download needs the access token").isEqualTo(401);
        }
        return new Extract(manifest, files, statusPath.substring(statusPath.indexOf("=") + 1));
    }

    /** Polls the kick-off's status URL until the manifest is ready. */
    private RawResponse awaitManifest(Token caller, RawResponse accepted) throws InterruptedException {
        String status = accepted.header("Content-Location");
        String statusPath = "/" + status.substring(status.indexOf("$export-poll-status"));
        FhirServerClient client = client(caller);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        RawResponse polled = client.get(statusPath);
        while (polled.status() == 202 && Instant.now().isBefore(deadline)) {
            assertThat(polled.header("X-Progress")).isNotBlank();
            Thread.sleep(200);
            polled = client.get(statusPath);
        }
        assertThat(polled.status()).as(polled.body()).isEqualTo(200);
        assertThat(polled.contentType()).startsWith("application/json");
        return polled;
    }

    private record Extract(JsonNode manifest, Map<String, String> files, String jobId) {

        JsonNode summary() {
            return manifest.get("extension").get(ExtractManifest.EXTENSION_URL);
        }

        List<JsonNode> lines(String type) throws IOException {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : files.getOrDefault(type, "").lines().toList()) {
                lines.add(JSON.readTree(line));
            }
            return lines;
        }

        List<String> idsOf(String type) throws IOException {
            return lines(type).stream().map(r -> r.get("id").asText()).toList();
        }

        JsonNode resource(String type, String id) throws IOException {
            return lines(type).stream().filter(r -> r.get("id").asText().equals(id)).findFirst().orElseThrow();
        }
    }
}
