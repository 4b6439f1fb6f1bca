package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.PolicyRule;
import uk.sharedcare.record.consent.Reason;

/** 403 answers whose OperationOutcome names the rule in plain words. */
public final class Refusals {

    private Refusals() {}

    public static ForbiddenOperationException forbidden(Decision decision) {
        return forbidden(decision.deciding().explain());
    }

    public static ForbiddenOperationException forbidden(Reason reason) {
        return forbidden(reason.explain());
    }

    /** Governance operations are for data protection officers and admins, whatever the purpose of use. */
    public static void requireGovernanceRole(RequestDetails request, String operation) {
        AccessContext caller = AccessContexts.of(request).orElseThrow(() ->
                forbidden(Reason.of(PolicyRule.GOVERNANCE, "no access context")));
        if (!caller.hasRole(Role.DPO) && !caller.hasRole(Role.ADMIN)) {
            throw forbidden(Reason.of(PolicyRule.GOVERNANCE, operation + " asked by " + caller.organisation()));
        }
    }

    private static ForbiddenOperationException forbidden(String explanation) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.FORBIDDEN).setDiagnostics(explanation);
        return new ForbiddenOperationException(explanation, outcome);
    }
}
