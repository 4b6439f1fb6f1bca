package uk.sharedcare.record.export;

import java.time.Instant;
import java.time.YearMonth;
import java.util.Optional;

/**
 * One asynchronous extract asked for through Bulk Data {@code $export}, as the job store keeps it, so that any
 * server node can answer its status.
 *
 * @param id           the job id in the status URL
 * @param subject      the token subject that asked for it; only they may poll, download or cancel it
 * @param recipient    ODS code of the receiving organisation
 * @param month        the month extracted
 * @param requestUrl   the kick-off request, echoed in the manifest
 * @param status       where it has got to
 * @param patientsDone patients processed so far
 * @param result       the run's result as JSON, once complete
 * @param error        why it failed, if it did
 */
public record ExtractJob(String id, String subject, String recipient, YearMonth month, String requestUrl,
        Status status, long patientsDone, Instant createdAt, Optional<String> result, Optional<String> error) {

    public enum Status {
        ACCEPTED,
        RUNNING,
        COMPLETE,
        FAILED,
        CANCELLED
    }
}
