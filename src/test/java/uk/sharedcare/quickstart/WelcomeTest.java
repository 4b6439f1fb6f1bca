package uk.sharedcare.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class WelcomeTest {

    @Test
    void theBannersExtractExampleAsksForThisMonthWhoseDemoDataWasJustLoaded() {
        String issuer = "http://127.0.0.1:8180/realms/shared-care";

        String banner = Welcome.text(issuer, issuer + "/protocol/openid-connect/token", "8080", Duration.ofSeconds(30));

        assertThat(banner).contains("/fhir/$export?month=" + YearMonth.now(ZoneId.of("Europe/London")));
    }

    @Test
    void theBannerNamesTheConsoleAndADemoUserOfEachKindOfConsoleUser() {
        String issuer = "http://127.0.0.1:8180/realms/shared-care";

        String banner = Welcome.text(issuer, issuer + "/protocol/openid-connect/token", "8080", Duration.ofSeconds(30));

        assertThat(banner).contains("Console    http://localhost:8080/console")
                .contains("dr.patel (a practice), dpo.williams (a DPO), patient.hughes (a patient)");
    }
}
