package uk.sharedcare.record.access;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

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
}
