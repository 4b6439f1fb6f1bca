package uk.sharedcare.record.export;

import java.util.Optional;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.NationalOptOutList;

/**
 * What one run applies of the National Data Opt-out, as the policy allowed it to start: the national service's
 * answer (none for a recipient configured as not needing it) and the decision that let the run go ahead.
 */
record NationalOptOut(Optional<NationalOptOutList> answer, Decision decision) {

    /** What the manifest and the audit trail say of it. */
    ExtractResult.NationalOptOutApplied applied() {
        String decidedBy = decision.deciding().detail();
        return answer.map(list -> new ExtractResult.NationalOptOutApplied(decidedBy, list.checkedOn().toString(),
                        list.source(), list.sha256(), list.nhsNumbers().size(), list.meaning().name()))
                .orElse(new ExtractResult.NationalOptOutApplied(decidedBy, null, null, null, 0, null));
    }
}
