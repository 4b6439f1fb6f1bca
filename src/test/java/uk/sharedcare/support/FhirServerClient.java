package uk.sharedcare.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.AdditionalRequestHeadersInterceptor;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * How tests reach a running server as one caller: HAPI's generic client for FHIR calls, raw HTTP for malformed
 * requests. The caller's bearer token and any extra headers (purpose of use) go on every request.
 */
public final class FhirServerClient {

    public static final FhirContext FHIR = FhirContext.forR4Cached();

    static {
        FHIR.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        // A server's first write loads the profile validator's terminology: slow on a busy 2-core machine.
        FHIR.getRestfulClientFactory().setSocketTimeout(120_000);
    }

    private final String serverUrl;
    private final String baseUrl;
    private final String bearerToken;
    private final Map<String, String> headers;
    private final HttpClient http = HttpClient.newHttpClient();

    /** A caller without a token. */
    public FhirServerClient(int port) {
        this(port, null, Map.of());
    }

    public FhirServerClient(int port, String bearerToken) {
        this(port, bearerToken, Map.of());
    }

    private FhirServerClient(int port, String bearerToken, Map<String, String> headers) {
        this.serverUrl = "http://localhost:" + port;
        this.baseUrl = serverUrl + "/fhir";
        this.bearerToken = bearerToken;
        this.headers = Map.copyOf(headers);
    }

    /** The same caller, sending one more header on every request. */
    public FhirServerClient withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new FhirServerClient(Integer.parseInt(serverUrl.substring(serverUrl.lastIndexOf(':') + 1)),
                bearerToken, more);
    }

    public IGenericClient fhir() {
        IGenericClient client = FHIR.newRestfulGenericClient(baseUrl);
        if (bearerToken != null) {
            client.registerInterceptor(new BearerTokenAuthInterceptor(bearerToken));
        }
        if (!headers.isEmpty()) {
            AdditionalRequestHeadersInterceptor extra = new AdditionalRequestHeadersInterceptor();
            headers.forEach(extra::addHeaderValue);
            client.registerInterceptor(extra);
        }
        return client;
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Sends a raw request to a path under the FHIR base URL. */
    public RawResponse send(String method, String path, byte[] body, Map<String, String> requestHeaders) {
        return sendTo(URI.create(baseUrl + path), method, body, requestHeaders);
    }

    public RawResponse send(String method, String path, String body, String contentType) {
        return send(method, path, body.getBytes(StandardCharsets.UTF_8),
                contentType == null ? Map.of() : Map.of("Content-Type", contentType));
    }

    /** Sends the resource as FHIR JSON. */
    public RawResponse send(String method, String path, org.hl7.fhir.instance.model.api.IBaseResource resource) {
        return send(method, path, FHIR.newJsonParser().encodeResourceToString(resource), "application/fhir+json");
    }

    public RawResponse get(String path) {
        return send("GET", path, null, Map.of("Accept", "application/fhir+json"));
    }

    /** GET on a path outside the FHIR API, such as {@code /v3/api-docs}. */
    public RawResponse getOutsideFhir(String rootPath) {
        return sendTo(URI.create(serverUrl + rootPath), "GET", null, Map.of());
    }

    private RawResponse sendTo(URI uri, String method, byte[] body, Map<String, String> requestHeaders) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        headers.forEach(request::header);
        requestHeaders.forEach(request::header);
        return exchange(request.build());
    }

    /** Sends a request built by the test itself, for cases the helpers above cannot express. */
    public RawResponse exchange(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new RawResponse(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A status, a body and the headers, as an HTTP client sees them. */
    public record RawResponse(int status, String body, HttpHeaders headers) {

        public String contentType() {
            return header("Content-Type");
        }

        public String header(String name) {
            return headers.firstValue(name).orElse("");
        }

        public OperationOutcome operationOutcome() {
            return FHIR.newJsonParser().parseResource(OperationOutcome.class, body);
        }
    }
}
