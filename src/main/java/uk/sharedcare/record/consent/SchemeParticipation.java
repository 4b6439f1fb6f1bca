package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/**
 * Which organisations take part in the scheme on a given day, from their sharing agreements (rule 11). An
 * organisation with an agreement takes part only within its dates. One without takes part only where the policy
 * does not require an agreement ({@code sharing-agreements.required}), which keeps a record without any
 * agreements sharing as it did before agreements were recorded.
 *
 * @param agreementRequired whether an organisation with no agreement on record is outside the scheme
 * @param agreements        the recorded agreements, by ODS code
 */
public record SchemeParticipation(boolean agreementRequired, Map<String, SharingAgreement> agreements) {

    /** No agreements recorded and none required: every organisation takes part. */
    public static final SchemeParticipation EVERY_ORGANISATION = new SchemeParticipation(false, Map.of());

    public SchemeParticipation {
        agreements = Map.copyOf(agreements);
    }

    /** Why the organisation is outside the scheme on this day, in words; empty when it takes part. */
    public Optional<Reason> outside(String organisation, LocalDate day) {
        SharingAgreement agreement = agreements.get(organisation);
        if (agreement == null) {
            return agreementRequired
                    ? Optional.of(Reason.of(PolicyRule.SHARING_AGREEMENT, organisation
                            + " has no sharing agreement on record"))
                    : Optional.empty();
        }
        if (agreement.inForceOn(day)) {
            return Optional.empty();
        }
        String when = day.isBefore(agreement.starts()) ? "has not started" : "has ended";
        return Optional.of(Reason.of(PolicyRule.SHARING_AGREEMENT, organisation + "'s sharing agreement " + when
                + " (" + agreement.period() + ")", agreement.evidence()));
    }

    /**
     * The agreement that lets an organisation taking part do so, in words; empty when it has none (and needs
     * none), so decisions of a record without agreements read as they did.
     */
    Optional<Reason> takesPart(String organisation) {
        return Optional.ofNullable(agreements.get(organisation)).map(agreement -> Reason.of(
                PolicyRule.SHARING_AGREEMENT, organisation + "'s sharing agreement is in force ("
                        + agreement.period() + ")", agreement.evidence()));
    }
}
