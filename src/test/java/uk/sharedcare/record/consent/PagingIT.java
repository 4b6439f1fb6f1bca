package uk.sharedcare.record.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.BeforeEach;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.FhirServerClient.RawResponse;
import uk.sharedcare.support.FhirServerClient;
import uk.sharedcare.support.HiddenVersusMissing;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;

/**
 * Paging tells nothing about hidden data: a search's pages go only to the caller who started it, every page but
 * the last is full, {@code next} appears exactly when more visible results exist, and no total or page count
 * depends on what the caller may not see.
 */
@PostgresFhirServerTest
class PagingIT {

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    BoroughScenario borough;
    FhirServerClient gp;
    Instant start;

    @BeforeEach
    void scenario() {
        borough = new BoroughScenario(port);
        gp = new FhirServerClient(port, Callers.drPatel().sign());
        start = Instant.now().minusSeconds(1);
    }

    @Test
    void anotherOrganisationsUserFollowingAPagingLinkGetsWhatAnUnknownSearchGets() {
        String next = nextLink(twoPlanSearch());
        FhirServerClient otherPractice = new FhirServerClient(port, Callers.drJones().sign());

        String unknownId = UUID.randomUUID().toString();

        RawResponse foreign = otherPractice.get(pathOf(next));
        RawResponse unknown = otherPractice.get(pathOf(withSearchId(next, unknownId)));

        HiddenVersusMissing.assertSameAnswer(foreign, searchIdOf(next), unknown, unknownId);
        assertThat(foreign.status()).isEqualTo(410);
        assertThat(foreign.body()).doesNotContain("CarePlan");
        assertThat(gp.get(pathOf(next)).status()).as("the owner still pages").isEqualTo(200);
    }

    @Test
    void theSameUserAskingForAnotherPurposeCannotFollowTheLinkEither() {
        String next = nextLink(twoPlanSearch());
        FhirServerClient breakGlass = gp.withHeader("X-Purpose-Of-Use", "ETREAT")
                .withHeader("X-Break-Glass-Reason", "unconscious patient");

        assertThat(breakGlass.get(pathOf(next)).status()).isEqualTo(410);
    }

    @Test
    void searchPagesAreFullAndLinkedOnlyWhileVisibleResultsRemain() {
        String family = "Paging" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        for (int i = 0; i < 28; i++) {
            boolean visible = i % 4 == 0;
            borough.create(visible ? Callers.drPatel() : Callers.drJones(), RecordFixtures.patientRegisteredAt(
                    visible ? Callers.RIVERSIDE_PRACTICE : Callers.NORTHGATE_PRACTICE,
                    RecordFixtures.uniqueNhsNumber(), family));
        }

        List<Bundle> pages = allPages(gp, "/Patient?family=" + family + "&_count=3");

        assertThat(pages).extracting(page -> page.getEntry().size()).containsExactly(3, 3, 1);
        assertThat(pages).allSatisfy(page -> assertThat(!page.hasTotal() || page.getTotal() == 7).isTrue());
    }

    @Test
    void aSearchAskedNotToBeStoredPagesAndCountsOnlyWhatTheCallerMaySee() {
        String family = "NoStore" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        for (int i = 0; i < 12; i++) {
            boolean visible = i % 4 == 0;
            borough.create(visible ? Callers.drPatel() : Callers.drJones(), RecordFixtures.patientRegisteredAt(
                    visible ? Callers.RIVERSIDE_PRACTICE : Callers.NORTHGATE_PRACTICE,
                    RecordFixtures.uniqueNhsNumber(), family));
        }
        FhirServerClient noStore = gp.withHeader("Cache-Control", "no-store, max-results=50");

        List<Bundle> pages = allPages(noStore, "/Patient?family=" + family + "&_count=2");

        assertThat(pages).extracting(page -> page.getEntry().size()).containsExactly(2, 1);
        assertThat(pages).allSatisfy(page -> assertThat(page.hasTotal()).as("no total counting hidden patients")
                .isFalse());
    }

    @Test
    void aZeroCountSearchAskedNotToBeStoredTellsNothingOfHiddenResults() {
        String family = "HiddenNoStore" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            borough.create(Callers.drJones(), RecordFixtures.patientRegisteredAt(Callers.NORTHGATE_PRACTICE,
                    RecordFixtures.uniqueNhsNumber(), family));
        }
        String nobody = "NobodyNoStore" + UUID.randomUUID().toString().substring(0, 8);
        FhirServerClient noStore = gp.withHeader("Cache-Control", "no-store");

        RawResponse hidden = noStore.get("/Patient?family=" + family + "&_count=0");
        RawResponse none = noStore.get("/Patient?family=" + nobody + "&_count=0");
        RawResponse hiddenPage = noStore.get("/Patient?family=" + family);
        RawResponse nonePage = noStore.get("/Patient?family=" + nobody);

        HiddenVersusMissing.assertSameAnswer(hidden, family, none, nobody);
        HiddenVersusMissing.assertSameAnswer(hiddenPage, family, nonePage, nobody);
        assertThat(hidden.body()).doesNotContain("\"total\"");
    }

    @Test
    void aDatabaseWideSearchPagesOnlyThroughWhatTheCallerMaySee() {
        String practice = "Y" + (10_000 + new Random().nextInt(89_999));
        var newPracticeGp = Callers.token("dr.new-" + practice, "gp", practice);
        for (int i = 0; i < 7; i++) {
            borough.create(newPracticeGp, RecordFixtures.patientRegisteredAt(practice,
                    RecordFixtures.uniqueNhsNumber(), "Own"));
        }

        List<Bundle> pages = allPages(new FhirServerClient(port, newPracticeGp.sign()), "/Patient?_count=3");

        assertThat(pages).extracting(page -> page.getEntry().size()).containsExactly(3, 3, 1);
        assertThat(pages).allSatisfy(page -> assertThat(page.hasTotal()).as("no total counting hidden patients")
                .isFalse());
    }

    @Test
    void aZeroCountSearchTellsNothingOfHowManyHiddenResultsThereAre() {
        String family = "Hidden" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 3; i++) {
            borough.create(Callers.drJones(), RecordFixtures.patientRegisteredAt(Callers.NORTHGATE_PRACTICE,
                    RecordFixtures.uniqueNhsNumber(), family));
        }
        String nobody = "Nobody" + UUID.randomUUID().toString().substring(0, 8);

        RawResponse hidden = gp.get("/Patient?family=" + family + "&_count=0");
        RawResponse none = gp.get("/Patient?family=" + nobody + "&_count=0");

        HiddenVersusMissing.assertSameAnswer(hidden, family, none, nobody);
        assertThat(hidden.body()).doesNotContain("\"total\"");
    }

    @Test
    void aSearchAboutOnePatientThatFitsOnePageIsAnsweredWithoutStoringTheSearch() {
        String patient = borough.patientAtRiverside();
        borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.carePlan(Callers.drPatel(), patient, "Medication review");

        List<Bundle> onePage = allPages(gp, "/CarePlan?subject=" + patient);
        long storedForOnePage = storedSearchesNaming(patient);
        List<Bundle> twoPages = allPages(gp, "/CarePlan?_count=1&subject=" + patient);

        assertThat(onePage).extracting(page -> page.getEntry().size()).containsExactly(2);
        assertThat(storedForOnePage).isZero();
        assertThat(twoPages).extracting(page -> page.getEntry().size()).containsExactly(1, 1);
        assertThat(storedSearchesNaming(patient)).as("a search needing pages is stored").isPositive();
    }

    @Test
    void hiddenMatchesCountWhenJudgingWhetherASearchAboutOnePatientFitsOnePage() {
        String patient = borough.patientAtRiverside();
        borough.episodeOfCare(Callers.nurseOkafor(), Callers.BOROUGH_TRUST, patient);
        for (int i = 0; i < 3; i++) {
            borough.condition(Callers.drPatel(), patient, "15628003"); // sexual health: hidden from the trust
        }
        for (int i = 0; i < 4; i++) {
            borough.condition(Callers.drPatel(), patient, "38341003");
        }
        FhirServerClient nurse = new FhirServerClient(port, Callers.nurseOkafor().sign());

        List<Bundle> pages = allPages(nurse, "/Condition?subject=" + patient + "&_sort=_lastUpdated&_count=3");

        assertThat(pages).as("the first four matches hold three hidden ones, and four visible ones remain")
                .extracting(page -> page.getEntry().size()).containsExactly(3, 1);
    }

    @Test
    void aHiddenPatientsSearchNeedingPagesAnswersAsAMissingPatientsUnstoredOne() {
        String hidden = borough.patientAt(Callers.NORTHGATE_PRACTICE, Callers.drJones(), "1950-05-01");
        borough.bloodPressure(Callers.drJones(), hidden);
        borough.bloodPressure(Callers.drJones(), hidden);
        String missing = "Patient/" + UUID.randomUUID();

        RawResponse stored = gp.get("/Observation?subject=" + hidden + "&_count=1");
        RawResponse unstored = gp.get("/Observation?subject=" + missing + "&_count=1");

        assertThat(storedSearchesNaming(hidden)).as("two matches for a page of one: stored").isPositive();
        HiddenVersusMissing.assertSameAnswer(stored, hidden.substring("Patient/".length()), unstored,
                missing.substring("Patient/".length()));
    }

    @Test
    void searchesCannotBePagedByOffsetAroundTheLinks() {
        assertThat(gp.get("/Patient?_offset=3&_count=3").status()).isEqualTo(403);
    }

    @Test
    void typeHistoryPagesAreFullAndLinkedOnlyWhileVisibleVersionsRemain() {
        String visiblePatient = borough.patientAtRiverside();
        String hiddenPatient = borough.patientAt(Callers.NORTHGATE_PRACTICE, Callers.drJones(), "1950-05-01");
        for (int i = 0; i < 4; i++) {
            borough.bloodPressure(Callers.drPatel(), visiblePatient);
            if (i < 3) {
                borough.bloodPressure(Callers.drJones(), hiddenPatient);
            }
        }

        List<Bundle> pages = allPages(gp, "/Observation/_history?_since=" + start + "&_count=3");

        assertThat(pages).extracting(page -> page.getEntry().size()).containsExactly(3, 1);
        assertThat(pages).allSatisfy(page -> assertThat(!page.hasTotal() || page.getTotal() == 4).isTrue());
    }

    /** A search for a new patient's two care plans, one per page. */
    private RawResponse twoPlanSearch() {
        String patient = borough.patientAtRiverside();
        borough.carePlan(Callers.drPatel(), patient, "Falls prevention");
        borough.carePlan(Callers.drPatel(), patient, "Medication review");
        RawResponse first = gp.get("/CarePlan?subject=" + patient + "&_count=1");
        assertThat(first.status()).isEqualTo(200);
        return first;
    }

    private List<Bundle> allPages(FhirServerClient caller, String firstPage) {
        List<Bundle> pages = new ArrayList<>();
        String path = firstPage;
        while (path != null && pages.size() < 20) {
            RawResponse response = caller.get(path);
            assertThat(response.status()).as(path + " answered " + response.body()).isEqualTo(200);
            Bundle page = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
            pages.add(page);
            path = page.getLink(Bundle.LINK_NEXT) == null ? null : pathOf(page.getLink(Bundle.LINK_NEXT).getUrl());
        }
        return pages;
    }

    /** HAPI's stored searches whose query names the patient. */
    private long storedSearchesNaming(String patient) {
        return new JdbcTemplate(dataSource).queryForObject(
                "select count(*) from HFJ_SEARCH where SEARCH_QUERY_STRING_VC like ?", Long.class,
                "%" + patient + "%");
    }

    private static String nextLink(RawResponse response) {
        Bundle bundle = FhirServerClient.FHIR.newJsonParser().parseResource(Bundle.class, response.body());
        assertThat(bundle.getLink(Bundle.LINK_NEXT)).as("a next link").isNotNull();
        return bundle.getLink(Bundle.LINK_NEXT).getUrl();
    }

    private static String pathOf(String url) {
        return url.substring(url.indexOf("/fhir") + "/fhir".length());
    }

    private static String searchIdOf(String url) {
        int at = url.indexOf("_getpages=") + "_getpages=".length();
        int end = url.indexOf('&', at);
        return end < 0 ? url.substring(at) : url.substring(at, end);
    }

    private static String withSearchId(String url, String searchId) {
        return url.replace(searchIdOf(url), searchId);
    }
}
