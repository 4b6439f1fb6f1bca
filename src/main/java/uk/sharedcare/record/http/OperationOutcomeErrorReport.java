package uk.sharedcare.record.http;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * Tomcat's error report for what it answers itself (a request it cannot parse, a header too large), as a FHIR
 * OperationOutcome instead of an HTML page. Nothing from the request is repeated in it: a refused request
 * target can hold identifiers.
 */
final class OperationOutcomeErrorReport extends ErrorReportValve {

    private final OperationOutcomeWriter outcomes;

    OperationOutcomeErrorReport(OperationOutcomeWriter outcomes) {
        this.outcomes = outcomes;
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
            outcomes.write(response, status, issueType(status), diagnostics(status));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client has gone, or the response was already committed: nothing more can be said
        }
    }

    private static String diagnostics(int status) {
        return status == 400
                ? "The request is not valid HTTP: percent-encode characters such as spaces in its path and query"
                        + " (RFC 3986), and keep its headers within the server's limits"
                : "The server could not answer this request (HTTP " + status + ")";
    }

    private static IssueType issueType(int status) {
        return status == 400 ? IssueType.INVALID : status >= 500 ? IssueType.EXCEPTION : IssueType.PROCESSING;
    }
}
