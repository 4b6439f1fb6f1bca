package uk.sharedcare.record.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report for what it answers itself (a request it cannot parse, a header too large), as a FHIR
 * OperationOutcome instead of an HTML page. Nothing from the request is repeated in it: a refused request
 * target can hold identifiers.
 */
final class OperationOutcomeErrorReport extends ErrorReportValve {

    private static final ObjectMapper JSON = new ObjectMapper();

    OperationOutcomeErrorReport() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable thrown) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            byte[] body = JSON.writeValueAsBytes(outcome(status));
            response.setContentType("application/fhir+json;charset=utf-8");
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client has gone, or the response was already committed: nothing more can be said
        }
    }

    static Map<String, Object> outcome(int status) {
        String diagnostics = status == 400
                ? "The request is not valid HTTP: percent-encode characters such as spaces in its path and query"
                        + " (RFC 3986), and keep its headers within the server's limits"
                : "The server could not answer this request (HTTP " + status + ")";
        String code = status == 400 ? "invalid" : status >= 500 ? "exception" : "processing";
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("severity", "error");
        issue.put("code", code);
        issue.put("diagnostics", diagnostics);
        Map<String, Object> outcome = new LinkedHashMap<>();
        outcome.put("resourceType", "OperationOutcome");
        outcome.put("issue", List.of(issue));
        return outcome;
    }
}
