package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Makes a hidden resource indistinguishable from a missing one. HAPI words "not known", "hidden by consent" and
 * "deleted" (410) differently, so every not-found or gone answer about one resource is replaced by the same 404,
 * message and OperationOutcome (hook {@code SERVER_PRE_PROCESS_OUTGOING_EXCEPTION}). HAPI writes every failed entry
 * of a batch or transaction with the issue code {@code exception}; the entries are given the code the same request
 * gets alone (hook {@code SERVER_OUTGOING_RESPONSE}).
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class UniformNotFound {

    private static final Map<String, IssueType> CODE_BY_STATUS = Map.of(
            "403", IssueType.FORBIDDEN, "404", IssueType.NOTFOUND, "410", IssueType.NOTFOUND);

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException uniform(RequestDetails request, Throwable failure) {
        boolean notFound = failure instanceof ResourceNotFoundException || failure instanceof ResourceGoneException;
        if (notFound && request != null && request.getId() != null && request.getId().hasIdPart()) {
            IIdType id = request.getResourceName() == null ? request.getId()
                    : request.getId().withResourceType(request.getResourceName());
            return notFound(id);
        }
        return null;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public void entriesAnswerAsAlone(ResponseDetails response) {
        if (!(response.getResponseResource() instanceof Bundle bundle)
                || bundle.getType() != Bundle.BundleType.BATCHRESPONSE
                        && bundle.getType() != Bundle.BundleType.TRANSACTIONRESPONSE) {
            return;
        }
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            String status = entry.getResponse().getStatus();
            IssueType alone = status == null || status.length() < 3 ? null : CODE_BY_STATUS.get(status.substring(0, 3));
            if (alone != null && entry.getResponse().getOutcome() instanceof OperationOutcome outcome) {
                outcome.getIssue().stream()
                        .filter(issue -> issue.getCode() == IssueType.EXCEPTION)
                        .forEach(issue -> issue.setCode(alone));
            }
        }
    }

    /** The one answer for a resource that is missing or hidden. */
    public static ResourceNotFoundException notFound(IIdType id) {
        String message = "Resource " + id.toUnqualifiedVersionless().getValue()
                + " is not known, or not available to you";
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.NOTFOUND).setDiagnostics(message);
        return new ResourceNotFoundException(message, outcome);
    }
}
