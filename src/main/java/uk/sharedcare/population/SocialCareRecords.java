package uk.sharedcare.population;

import java.util.List;
import java.util.SplittableRandom;
import org.hl7.fhir.r4.model.CarePlan;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * What the council records for a patient it supports: an episode of care of type social-care that it manages,
 * a care team with the social worker and the patient's GP practice, and a care plan.
 */
final class SocialCareRecords {

    private static final String[] PLANS = {"Home care: two visits a day", "Reablement after discharge",
        "Day centre three days a week", "Carer's respite, one week a quarter", "Telecare and weekly welfare call",
        "Residential care placement review"};

    private SocialCareRecords() {}

    static List<Recorded> of(String patientId, Traits traits, SplittableRandom random) {
        Reference patient = new Reference("Patient/" + patientId);
        var start = ClinicalRecords.day(Traits.REFERENCE_DATE.minusDays(30 + random.nextInt(400)));

        EpisodeOfCare episode = new EpisodeOfCare();
        episode.setId(patientId + "-eoc-social");
        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        episode.addType(new CodeableConcept(PopulationCodes.episodeType("social-care")).setText("Social care"));
        episode.setPatient(patient);
        episode.setManagingOrganization(Borough.organisationReference(Borough.COUNCIL));
        episode.getPeriod().setStartElement(start.copy());
        episode.setCareManager(new Reference("Practitioner/" + Borough.SOCIAL_WORKER));

        CareTeam team = new CareTeam();
        team.setId(patientId + "-careteam");
        team.setStatus(CareTeam.CareTeamStatus.ACTIVE);
        team.setName("Care team");
        team.setSubject(patient);
        team.addParticipant().setMember(new Reference("Practitioner/" + Borough.SOCIAL_WORKER))
                .setOnBehalfOf(Borough.organisationReference(Borough.COUNCIL));
        team.addParticipant().setMember(new Reference("Practitioner/" + traits.practice().gp()))
                .setOnBehalfOf(Borough.organisationReference(traits.practice().ods()));
        team.addManagingOrganization(Borough.organisationReference(Borough.COUNCIL));

        CarePlan plan = new CarePlan();
        plan.setId(patientId + "-careplan");
        plan.setStatus(CarePlan.CarePlanStatus.ACTIVE);
        plan.setIntent(CarePlan.CarePlanIntent.PLAN);
        plan.addCategory(new CodeableConcept(PopulationCodes.CARE_PLAN).setText("Social care plan"));
        plan.setTitle(PLANS[random.nextInt(PLANS.length)]);
        plan.setSubject(patient);
        plan.getPeriod().setStartElement(start.copy());
        plan.setAuthor(new Reference("Practitioner/" + Borough.SOCIAL_WORKER));
        plan.addCareTeam(new Reference("CareTeam/" + team.getId()));

        return List.of(council(episode), council(team), council(plan));
    }

    private static Recorded council(Resource resource) {
        return new Recorded(Borough.COUNCIL, resource);
    }
}
