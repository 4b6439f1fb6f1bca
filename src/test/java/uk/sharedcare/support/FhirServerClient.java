package uk.sharedcare.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;

/** How tests reach a running server: HAPI's generic client for FHIR calls, raw HTTP for malformed requests. */
public final class FhirServerClient {

    public static final FhirContext FHIR = FhirContext.forR4Cached();

    static {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
    }

    private final String serverUrl;
    private final String baseUrl;
    private final HttpClient http = HttpClient.newHttpClient();

    public FhirServerClient(int port) {
        this.serverUrl = "http://localhost:" + port;
        this.baseUrl = serverUrl + "/fhir";
    }

    public IGenericClient fhir() {
        return FHIR.newRestfulGenericClient(baseUrl);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Sends a raw request to a path under the FHIR base URL. */
    public RawResponse send(String method, String path, byte[] body, Map<String, String> headers) {
        return sendTo(URI.create(baseUrl + path), method, body, headers);
    }

    /** GET on a path outside the FHIR API, such as {@code /v3/api-docs}. */
    public RawResponse getOutsideFhir(String rootPath) {
        return sendTo(URI.create(serverUrl + rootPath), "GET", null, Map.of());
    }

    private RawResponse sendTo(URI uri, String method, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new RawResponse(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public RawResponse send(String method, String path, String body, String contentType) {
        return send(method, path, body.getBytes(StandardCharsets.UTF_8),
                contentType == null ? Map.of() : Map.of("Content-Type", contentType));
    }

    public RawResponse get(String path) {
        return send("GET", path, null, Map.of("Accept", "application/fhir+json"));
    }

    /** A status, a body and its content type, as an HTTP client sees them. */
    public record RawResponse(int status, String body, String contentType) {

        public OperationOutcome operationOutcome() {
            return FHIR.newJsonParser().parseResource(OperationOutcome.class, body);
        }
    }
}
