package uk.sharedcare.record.http;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.Constants;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Writes an OperationOutcome as the whole response, for refusals made outside HAPI's own error handling. */
public final class OperationOutcomeWriter {

    /** Said whenever an access could not be put on the audit trail, and so was not carried out. */
    public static final String UNRECORDED =
            "The access could not be recorded, so it was not carried out; try again later";

    private final FhirContext fhirContext;

    public OperationOutcomeWriter(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    /** 503: the server will not answer what it cannot record. */
    public void writeUnrecorded(HttpServletResponse response) throws IOException {
        write(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, IssueType.TRANSIENT, UNRECORDED);
    }

    public void write(HttpServletResponse response, int status, IssueType type, String diagnostics) throws IOException {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics);
        byte[] body = fhirContext.newJsonParser().encodeResourceToString(outcome).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(Constants.CT_FHIR_JSON_NEW + ";charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
