package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.util.Set;

/**
 * One answer of the national service that holds the National Data Opt-out: the NHS numbers it returned for a
 * check, the day it was asked and where the answer came from. The service is asked with a cohort's NHS numbers and
 * returns those whose data may be used (meaning {@link Meaning#MAY_BE_USED}); a deployment that receives the
 * opted-out numbers instead says so ({@link Meaning#OPTED_OUT}).
 *
 * @param meaning    what the listed numbers are
 * @param nhsNumbers the numbers, ten digits each
 * @param checkedOn  the day the national service was asked
 * @param source     where the list came from, in words (file and what it says of itself)
 * @param sha256     the digest of the list as read, so an auditor can tell which list a run applied
 */
public record NationalOptOutList(Meaning meaning, Set<String> nhsNumbers, LocalDate checkedOn, String source,
        String sha256) {

    public enum Meaning {
        MAY_BE_USED,
        OPTED_OUT
    }

    public NationalOptOutList {
        nhsNumbers = Set.copyOf(nhsNumbers);
    }

    /** Whether the list lets this NHS number's data be used. */
    public boolean allows(String nhsNumber) {
        return meaning == Meaning.MAY_BE_USED ? nhsNumbers.contains(nhsNumber) : !nhsNumbers.contains(nhsNumber);
    }
}
