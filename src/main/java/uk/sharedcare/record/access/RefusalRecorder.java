package uk.sharedcare.record.access;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * Where the security filter chain reports the requests it refuses (no or bad token: 401; no usable access
 * context: 403), so that refusals made before HAPI sees a request are on the record too.
 */
public interface RefusalRecorder {

    /**
     * @param who    the caller's access context, when one could be built
     * @param status the HTTP status answered
     * @param reason why, in plain words
     * @return whether the refusal is on the record; if not, the caller answers 503 instead of the refusal
     */
    boolean refused(HttpServletRequest request, Optional<AccessContext> who, int status, String reason);

    /**
     * Puts a refusal of a caller without an access context on the record, then answers it with an
     * OperationOutcome; what cannot be recorded is answered 503 instead.
     */
    default void refuse(HttpServletRequest request, HttpServletResponse response, OperationOutcomeWriter outcomes,
            int status, IssueType type, String reason) throws IOException {
        if (refused(request, Optional.empty(), status, reason)) {
            outcomes.write(response, status, type, reason);
        } else {
            outcomes.writeUnrecorded(response);
        }
    }
}
