package uk.sharedcare.record.consent;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** 403 answers whose OperationOutcome names the rule in plain words. */
final class Refusals {

    private Refusals() {}

    static ForbiddenOperationException forbidden(Decision decision) {
        return forbidden(decision.deciding().explain());
    }

    static ForbiddenOperationException forbidden(Reason reason) {
        return forbidden(reason.explain());
    }

    private static ForbiddenOperationException forbidden(String explanation) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.FORBIDDEN).setDiagnostics(explanation);
        return new ForbiddenOperationException(explanation, outcome);
    }
}
