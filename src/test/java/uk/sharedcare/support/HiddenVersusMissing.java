package uk.sharedcare.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import uk.sharedcare.support.FhirServerClient.RawResponse;

/**
 * The differential check behind the record's first promise: the same request is sent once about a resource the
 * caller may not see and once about one that does not exist, and the two answers must be the same to the byte
 * once the two ids, generated ids and timestamps are masked: status, every header that could tell them apart
 * ({@code Location}, {@code ETag}, {@code Content-Location}, {@code Last-Modified}, {@code Content-Type}), and the
 * body (OperationOutcome codes and text, bundle entries, entry statuses, links).
 */
public final class HiddenVersusMissing {

    /** Where the target's id goes in a request's path, body or headers. */
    public static final String TARGET = "{target}";

    private static final List<String> COMPARED_HEADERS =
            List.of("Location", "ETag", "Content-Location", "Last-Modified", "Content-Type");
    private static final Pattern UUID_PATTERN =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern INSTANT = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
    private static final Pattern HTTP_DATE = Pattern.compile("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} [0-9:]{8} GMT");

    /** A request with {@value #TARGET} where the target's id goes. */
    public record Probe(String method, String path, String body, Map<String, String> headers) {
        public Probe {
            headers = Map.copyOf(headers);
        }

        public static Probe get(String path) {
            return new Probe("GET", path, null, Map.of("Accept", "application/fhir+json"));
        }

        public static Probe send(String method, String path, String body) {
            return new Probe(method, path, body, Map.of("Content-Type", "application/fhir+json",
                    "Accept", "application/fhir+json"));
        }

        public Probe withHeader(String name, String value) {
            Map<String, String> more = new TreeMap<>(headers);
            more.put(name, value);
            return new Probe(method, path, body, more);
        }

        RawResponse sendAbout(FhirServerClient caller, String id) {
            Map<String, String> filled = new TreeMap<>();
            headers.forEach((name, value) -> filled.put(name, value.replace(TARGET, id)));
            byte[] payload = body == null ? null : body.replace(TARGET, id).getBytes();
            return caller.send(method, path.replace(TARGET, id), payload, filled);
        }
    }

    /** One answer with everything that may differ between two runs of the same request masked. */
    public record Answer(int status, Map<String, String> headers, String body) {}

    private HiddenVersusMissing() {}

    /** A fresh id that no resource has. */
    public static String missingId() {
        return UUID.randomUUID().toString();
    }

    /**
     * Sends the probe about the hidden id and about a missing one and asserts the two answers are identical.
     *
     * @return the hidden case's answer, for assertions about what both answered
     */
    public static Answer assertHiddenLooksMissing(FhirServerClient caller, Probe probe, String hiddenId) {
        String missingId = missingId();
        Answer hidden = answer(probe.sendAbout(caller, hiddenId), hiddenId);
        Answer missing = answer(probe.sendAbout(caller, missingId), missingId);
        assertThat(hidden).as(probe.method() + " " + probe.path() + ": hidden answered unlike missing")
                .isEqualTo(missing);
        return hidden;
    }

    /** Asserts two answers, each about its own id, are the same once masked. */
    public static void assertSameAnswer(RawResponse first, String firstId, RawResponse second, String secondId) {
        assertThat(answer(first, firstId)).isEqualTo(answer(second, secondId));
    }

    public static Answer answer(RawResponse response, String id) {
        Map<String, String> headers = new TreeMap<>();
        for (String name : COMPARED_HEADERS) {
            headers.put(name, mask(response.header(name), id));
        }
        return new Answer(response.status(), headers, mask(response.body(), id));
    }

    private static String mask(String text, String id) {
        if (text == null) {
            return "";
        }
        String masked = text.replace(id, TARGET);
        masked = UUID_PATTERN.matcher(masked).replaceAll("{uuid}");
        masked = INSTANT.matcher(masked).replaceAll("{instant}");
        return HTTP_DATE.matcher(masked).replaceAll("{date}");
    }
}
