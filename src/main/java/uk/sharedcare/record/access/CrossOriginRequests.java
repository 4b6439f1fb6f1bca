package uk.sharedcare.record.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsProcessor;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.filter.CorsFilter;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * CORS for the configured origins, ahead of authentication: a browser's preflight carries no token, so it is
 * answered here, and a refused origin gets a 403 OperationOutcome, on the record, rather than Spring's
 * plain-text one. With no origins configured every cross-origin request is refused. Tokens
 * travel in the Authorization header, never in cookies, so no credentials are allowed.
 */
final class CrossOriginRequests {

    /** What FHIR clients send: SMART's bearer token, FHIR's conditional and Prefer headers, the record's own. */
    static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Accept", "Prefer",
            "If-Match", "If-None-Match", "If-None-Exist", "If-Modified-Since", "Cache-Control",
            "X-Purpose-Of-Use", "X-Break-Glass-Reason", "X-Request-ID");

    /** What a browser app may read from an answer, besides the CORS-safelisted headers. */
    static final List<String> RESPONSE_HEADERS = List.of("Location", "Content-Location", "ETag", "Last-Modified",
            "X-Progress", "Retry-After", "WWW-Authenticate", "X-Request-ID");

    private CrossOriginRequests() {}

    static CorsFilter filter(CorsProperties properties, String fhirBasePath, OperationOutcomeWriter outcomes,
            RefusalRecorder refusals) {
        CorsConfiguration allowed = new CorsConfiguration();
        allowed.setAllowedOriginPatterns(properties.allowedOrigins());
        allowed.setAllowedMethods(List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"));
        allowed.setAllowedHeaders(REQUEST_HEADERS);
        allowed.setExposedHeaders(RESPONSE_HEADERS);
        allowed.setAllowCredentials(false);
        allowed.setMaxAge(properties.maxAge());
        CorsFilter filter = new CorsFilter(request -> underFhir(request, fhirBasePath) ? allowed : null);
        filter.setCorsProcessor(new RecordedRefusals(outcomes, refusals));
        return filter;
    }

    /** By the path in the server, not in the servlet: the FHIR servlet's own mapping is part of it. */
    private static boolean underFhir(HttpServletRequest request, String fhirBasePath) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals(fhirBasePath) || path.startsWith(fhirBasePath + "/");
    }

    /** Spring's CORS checks; a refusal is put on the record and answered with an OperationOutcome. */
    private static final class RecordedRefusals implements CorsProcessor {

        static final String REASON = "This origin, method or header is not allowed to call the Shared Care Record"
                + " from a browser";

        private final DefaultCorsProcessor checks = new DefaultCorsProcessor() {
            @Override
            protected void rejectRequest(ServerHttpResponse response) {
                // answered below, once the refusal is on the record
            }
        };
        private final OperationOutcomeWriter outcomes;
        private final RefusalRecorder refusals;

        RecordedRefusals(OperationOutcomeWriter outcomes, RefusalRecorder refusals) {
            this.outcomes = outcomes;
            this.refusals = refusals;
        }

        @Override
        public boolean processRequest(CorsConfiguration configuration, HttpServletRequest request,
                HttpServletResponse response) throws IOException {
            if (checks.processRequest(configuration, request, response)) {
                return true;
            }
            refusals.refuse(request, response, outcomes, HttpServletResponse.SC_FORBIDDEN, IssueType.SECURITY,
                    REASON);
            return false;
        }
    }
}
