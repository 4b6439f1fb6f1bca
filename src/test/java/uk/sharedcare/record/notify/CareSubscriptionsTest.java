package uk.sharedcare.record.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which REST hooks a change notification may go to, and when a failed one is tried again. */
class CareSubscriptionsTest {

    private final CareSubscriptions anyHttps = new CareSubscriptions(List.of(), criteria -> true);
    private final CareSubscriptions council = new CareSubscriptions(List.of("https://hooks.council.example/"),
            criteria -> true);

    @Test
    void withNoAllowedEndpointsConfiguredOnlyHttpsEndpointsAreTaken() {
        assertThat(anyHttps.endpointAllowed("https://hooks.example.org/scr")).isTrue();
        assertThat(anyHttps.endpointAllowed("http://hooks.example.org/scr")).isFalse();
        assertThat(anyHttps.endpointAllowed("ftp://hooks.example.org/scr")).isFalse();
        assertThat(anyHttps.endpointAllowed(null)).isFalse();
    }

    @Test
    void anEndpointMustStartWithAnAllowedPrefixAndNameNoOtherHostBehindIt() {
        assertThat(council.endpointAllowed("https://hooks.council.example/scr")).isTrue();
        assertThat(council.endpointAllowed("https://hooks.example.org/scr")).isFalse();
        assertThat(new CareSubscriptions(List.of("https://hooks.council.example"), criteria -> true)
                .endpointAllowed("https://hooks.council.example@attacker.example/scr"))
                .as("user info would make the prefix name another host").isFalse();
        assertThat(council.endpointAllowed("https://hooks.council.example/scr#fragment")).isFalse();
        assertThat(council.endpointAllowed("https://hooks.council.example/a b")).as("not a URL").isFalse();
    }

    @Test
    void criteriaWithoutAQueryAreMatchedAsEveryResourceOfTheType() {
        assertThat(CareSubscriptions.matchUrl("CarePlan")).isEqualTo("CarePlan?");
        assertThat(CareSubscriptions.matchUrl("CarePlan?patient=Patient/1")).isEqualTo("CarePlan?patient=Patient/1");
    }

    @Test
    void aFailedNotificationWaitsTwiceAsLongEachTimeUpToTheLongestWait() {
        RetrySchedule retries = new RetrySchedule(Duration.ofSeconds(30), Duration.ofMinutes(2), 5);

        assertThat(retries.after(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(retries.after(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(retries.after(3)).isEqualTo(Duration.ofSeconds(120));
        assertThat(retries.after(9)).isEqualTo(Duration.ofSeconds(120));
        assertThat(retries.isLast(4)).isFalse();
        assertThat(retries.isLast(5)).isTrue();
    }
}
