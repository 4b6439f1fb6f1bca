package uk.sharedcare.record.consent.enforcement;

import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * The resources a patient's policy state is read from, as stored now: the Patient, its active consents, episodes
 * of care and care teams, its active flags, its Conditions and Observations coded with a cohort or dissent
 * code, and its active referrals. Empty lists when there is no such patient.
 */
record PolicyInputs(
        Optional<Patient> patient,
        List<Consent> consents,
        List<EpisodeOfCare> episodes,
        List<CareTeam> careTeams,
        List<Flag> flags,
        List<Condition> cohortConditions,
        List<Observation> dissentObservations,
        List<ServiceRequest> referrals) {

    static final PolicyInputs NONE = new PolicyInputs(Optional.empty(), List.of(), List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of());

    PolicyInputs {
        consents = List.copyOf(consents);
        episodes = List.copyOf(episodes);
        careTeams = List.copyOf(careTeams);
        flags = List.copyOf(flags);
        cohortConditions = List.copyOf(cohortConditions);
        dissentObservations = List.copyOf(dissentObservations);
        referrals = List.copyOf(referrals);
    }
}
