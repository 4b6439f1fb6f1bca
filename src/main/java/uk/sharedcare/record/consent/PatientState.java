package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;

/**
 * Everything the policy knows about one patient, loaded once per request (or from a cache cleared on every
 * write that changes it) by the enforcement point.
 *
 * @param patientId              for example {@code Patient/123}
 * @param registeredPractice     ODS code of the patient's registered GP practice
 * @param birthDate              to tell whether the patient is a child
 * @param exemptCohorts          cohorts found on the record by the configured code lists or labels, such as
 *                               {@code mental-illness} or {@code learning-disability}
 * @param gpDissent              a GP dissent code in force, if any
 * @param consents               the patient's active patient-privacy consents
 * @param episodeOrganisations   ODS codes of organisations with an active EpisodeOfCare for the patient
 * @param careTeamPractitioners  Practitioner ids of participants of the patient's active CareTeams
 * @param organisationSharing    the sharing settings organisations have made in the record, by ODS code,
 *                               current when the state was loaded (the policy file's stand for the rest)
 * @param nhsNumber              the patient's NHS number, by which a patient signed in for themselves is known
 * @param participation          which organisations take part in the scheme, by their sharing agreements,
 *                               current when the state was loaded
 * @param referredTo             ODS codes of organisations an active referral of the patient is addressed to, by an
 *                               organisation that had a relationship with the patient when it referred them
 */
public record PatientState(
        String patientId,
        Optional<String> registeredPractice,
        Optional<LocalDate> birthDate,
        Set<String> exemptCohorts,
        Optional<GpDissent> gpDissent,
        List<ConsentDirective> consents,
        Set<String> episodeOrganisations,
        Set<String> careTeamPractitioners,
        Map<String, OrganisationSharing> organisationSharing,
        Optional<String> nhsNumber,
        SchemeParticipation participation,
        Set<String> referredTo) {

    public PatientState {
        referredTo = Set.copyOf(referredTo);
        exemptCohorts = Set.copyOf(exemptCohorts);
        consents = List.copyOf(consents);
        episodeOrganisations = Set.copyOf(episodeOrganisations);
        careTeamPractitioners = Set.copyOf(careTeamPractitioners);
        organisationSharing = Map.copyOf(organisationSharing);
    }

    /** A state in which no referral is addressed to anyone. */
    public PatientState(String patientId, Optional<String> registeredPractice, Optional<LocalDate> birthDate,
            Set<String> exemptCohorts, Optional<GpDissent> gpDissent, List<ConsentDirective> consents,
            Set<String> episodeOrganisations, Set<String> careTeamPractitioners,
            Map<String, OrganisationSharing> organisationSharing, Optional<String> nhsNumber,
            SchemeParticipation participation) {
        this(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents, episodeOrganisations,
                careTeamPractitioners, organisationSharing, nhsNumber, participation, Set.of());
    }

    /** A state in which every organisation takes part in the scheme. */
    public PatientState(String patientId, Optional<String> registeredPractice, Optional<LocalDate> birthDate,
            Set<String> exemptCohorts, Optional<GpDissent> gpDissent, List<ConsentDirective> consents,
            Set<String> episodeOrganisations, Set<String> careTeamPractitioners,
            Map<String, OrganisationSharing> organisationSharing, Optional<String> nhsNumber) {
        this(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents, episodeOrganisations,
                careTeamPractitioners, organisationSharing, nhsNumber, SchemeParticipation.EVERY_ORGANISATION);
    }

    /** A state where no organisation has made a sharing setting of its own in the record. */
    public PatientState(String patientId, Optional<String> registeredPractice, Optional<LocalDate> birthDate,
            Set<String> exemptCohorts, Optional<GpDissent> gpDissent, List<ConsentDirective> consents,
            Set<String> episodeOrganisations, Set<String> careTeamPractitioners) {
        this(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents, episodeOrganisations,
                careTeamPractitioners, Map.of(), Optional.empty());
    }

    /** A state with the organisations' own sharing settings, and no NHS number. */
    public PatientState(String patientId, Optional<String> registeredPractice, Optional<LocalDate> birthDate,
            Set<String> exemptCohorts, Optional<GpDissent> gpDissent, List<ConsentDirective> consents,
            Set<String> episodeOrganisations, Set<String> careTeamPractitioners,
            Map<String, OrganisationSharing> organisationSharing) {
        this(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents, episodeOrganisations,
                careTeamPractitioners, organisationSharing, Optional.empty());
    }

    /** The same state under other organisations' participation. */
    public PatientState withParticipation(SchemeParticipation now) {
        return new PatientState(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents,
                episodeOrganisations, careTeamPractitioners, organisationSharing, nhsNumber, now, referredTo);
    }

    /** The same state with active referrals of the patient addressed to these organisations. */
    public PatientState withReferralsTo(Set<String> organisations) {
        return new PatientState(patientId, registeredPractice, birthDate, exemptCohorts, gpDissent, consents,
                episodeOrganisations, careTeamPractitioners, organisationSharing, nhsNumber, participation,
                organisations);
    }

    /** Whether this is the record of the patient signed in with this NHS number. */
    public boolean belongsTo(Optional<String> signedInNhsNumber) {
        return nhsNumber.isPresent() && nhsNumber.equals(signedInNhsNumber);
    }
}
