package uk.sharedcare.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP to the servers under test, and only to them: every request must go to the loopback address. Every GET
 * carries {@code Cache-Control: no-cache}, so plain HAPI runs each search instead of answering it from its
 * search result cache (the plugin-on server cannot reuse cached results: HAPI's consent interceptor forbids it),
 * and both servers do the same work for the same request.
 */
final class LoopbackHttp {

    static final Duration TIMEOUT = Duration.ofSeconds(120);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The answer to one request: status, body and how long it took; its Content-Location, if any. */
    record Answer(int status, String body, long nanos, Optional<String> contentLocation) {

        Answer(int status, String body, long nanos) {
            this(status, body, nanos, Optional.empty());
        }
    }

    /** A Bulk Data kick-off ({@code Prefer: respond-async}): 202 with the status URL in Content-Location. */
    Answer kickOff(String url, Optional<String> token, Map<String, String> headers) {
        HttpRequest.Builder builder = request(url, token).header("Cache-Control", "no-cache")
                .header("Prefer", "respond-async");
        headers.forEach(builder::header);
        return send(builder.GET().build());
    }

    /** A GET with headers of the caller's own (a purpose of use). */
    Answer get(String url, Optional<String> token, Map<String, String> headers) {
        HttpRequest.Builder builder = request(url, token).header("Cache-Control", "no-cache");
        headers.forEach(builder::header);
        return send(builder.GET().build());
    }

    Answer get(String url, Optional<String> token) {
        return send(request(url, token).header("Cache-Control", "no-cache").GET().build());
    }

    Answer post(String url, Optional<String> token, String fhirJson) {
        return send(request(url, token).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(fhirJson)).build());
    }

    private static HttpRequest.Builder request(String url, Optional<String> token) {
        URI uri = URI.create(url);
        if (!"127.0.0.1".equals(uri.getHost())) {
            throw new IllegalArgumentException("The benchmark only calls loopback servers, not " + uri.getHost());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .header("Accept", "application/fhir+json");
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private Answer send(HttpRequest request) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body(), System.nanoTime() - start,
                    response.headers().firstValue("Content-Location"));
        } catch (IOException e) {
            return new Answer(-1, e.toString(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted", System.nanoTime() - start);
        }
    }
}
