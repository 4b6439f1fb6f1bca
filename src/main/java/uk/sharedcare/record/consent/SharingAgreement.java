package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.util.Optional;

/**
 * One organisation's participation in the scheme, under the agreement it signed: from its first day to its last
 * (none: open-ended), both days included.
 *
 * @param organisation ODS code
 * @param starts       the first day it shares and sees others' data
 * @param ends         the last day it does, if the agreement has an end
 * @param evidence     what records it, for example {@code AuditEvent/123} for an admin's change
 */
public record SharingAgreement(String organisation, LocalDate starts, Optional<LocalDate> ends, String evidence) {

    public SharingAgreement {
        if (ends.filter(end -> end.isBefore(starts)).isPresent()) {
            throw new IllegalArgumentException("a sharing agreement cannot end before it starts");
        }
    }

    public boolean inForceOn(LocalDate day) {
        return !day.isBefore(starts) && ends.filter(day::isAfter).isEmpty();
    }

    /** The agreement's dates in words, for decisions and pages: "from 2026-04-01 to 2027-03-31". */
    public String period() {
        return "from " + starts + ends.map(end -> " to " + end).orElse(", with no end");
    }
}
