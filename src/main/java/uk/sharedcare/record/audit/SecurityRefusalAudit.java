package uk.sharedcare.record.audit;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.RefusalRecorder;
import uk.sharedcare.record.audit.AccessRecord.Outcome;
import uk.sharedcare.record.audit.AccessRecord.Refusal;

/**
 * Puts the security filter chain's refusals (401, 403) on the audit trail, with the caller's address. If the trail
 * cannot take one, the refusal is answered 503 instead and kept in the spill, to be recorded once it can.
 */
final class SecurityRefusalAudit implements RefusalRecorder {

    private static final Logger log = LoggerFactory.getLogger(SecurityRefusalAudit.class);

    private final AuditTrail trail;
    private final AuditEventFactory events;
    private final AuditSpill spill;
    private final Clock clock;

    SecurityRefusalAudit(AuditTrail trail, AuditEventFactory events, AuditSpill spill, Clock clock) {
        this.trail = trail;
        this.events = events;
        this.spill = spill;
        this.clock = clock;
    }

    @Override
    public boolean refused(HttpServletRequest request, Optional<AccessContext> who, int status, String reason) {
        String url = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
        AccessRecord access = new AccessRecord(clock.instant(), who, "operation", url,
                Optional.ofNullable(request.getRemoteAddr()), Outcome.REFUSED, List.of(), List.of(),
                Optional.of(new Refusal("HTTP " + status, reason, Optional.empty())));
        try {
            trail.append(events.build(access));
            return true;
        } catch (RuntimeException failure) {
            log.error("Could not record a refused request to {}; answering 503 and keeping it", url, failure);
            spill.keep(events.build(access.unrecorded()));
            return false;
        }
    }
}
