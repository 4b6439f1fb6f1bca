package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.access.SmartScopes.Permission;

/**
 * Rule 9 (and rule 8): who may create, change or delete a resource. Pure, like {@link SharingPolicy}, whose
 * purpose-of-use decision it shares.
 */
public final class WritePolicy {

    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final SharingPolicy reads;

    public WritePolicy(SharingPolicy reads) {
        this.reads = reads;
    }

    /**
     * Whether {@code who} may write ({@code kind}: create, update or delete) a resource of this type about these
     * patients that currently has this custodian.
     */
    public Decision decideWrite(AccessContext who, Permission kind, String resourceType, List<String> patients,
            Optional<String> currentCustodian, Optional<String> registeredPractice) {
        if (who.isPatient()) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    "a patient records only a new sharing choice of their own"));
        }
        Decision request = reads.decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!who.scopes().writes(kind, resourceType, patients)) {
            return Decision.deny(trail, SharingPolicy.outOfScope(who, resourceType));
        }
        String organisation = who.organisation();
        if (currentCustodian.isPresent() && !currentCustodian.get().equals(organisation)) {
            return Decision.deny(trail, Reason.of(PolicyRule.WRITE_AS_OWN_ORGANISATION,
                    "recorded by " + currentCustodian.get() + ", not " + organisation));
        }
        if ("Consent".equals(resourceType)) {
            boolean practice = registeredPractice.filter(organisation::equals).isPresent()
                    && SharingPolicy.hasAnyRole(who, EnumSet.of(Role.GP, Role.SYSTEM));
            if (!practice && !who.hasRole(Role.DPO)) {
                return Decision.deny(trail, Reason.of(PolicyRule.CONSENT_WRITERS,
                        organisation + " is not the patient's registered practice"));
            }
            trail.add(Reason.of(PolicyRule.CONSENT_WRITERS, who.hasRole(Role.DPO) ? "data protection officer"
                    : "registered practice " + organisation));
        }
        trail.add(Reason.of(PolicyRule.WRITE_AS_OWN_ORGANISATION, "written as " + organisation));
        return Decision.permit(trail, Set.of());
    }

    /**
     * Whether {@code who} may start caring for a patient with {@code $start-care}: a caring role, for direct care,
     * at an organisation that takes part in the scheme today (rule 11). Which patient is not part of it: the
     * operation answers a patient it cannot match exactly as one the record does not know.
     */
    public Decision decideStartOfCare(AccessContext who, SchemeParticipation scheme) {
        if (who.isPatient()) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    "a patient records only a new sharing choice of their own"));
        }
        Decision request = reads.decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!SharingPolicy.hasAnyRole(who, SharingPolicy.CARING_ROLES)) {
            return Decision.deny(trail, Reason.of(PolicyRule.START_OF_CARE,
                    SharingPolicy.rolesOf(who) + " do not start caring for patients"));
        }
        Optional<Reason> outside = scheme.outside(who.organisation(), LocalDate.ofInstant(who.at(), UK));
        if (outside.isPresent()) {
            return Decision.deny(trail, outside.get());
        }
        if (!who.scopes().writes(Permission.CREATE, "EpisodeOfCare", List.of())) {
            return Decision.deny(trail, SharingPolicy.outOfScope(who, "EpisodeOfCare"));
        }
        trail.add(Reason.of(PolicyRule.START_OF_CARE, SharingPolicy.rolesOf(who) + " at " + who.organisation()
                + " start care by NHS number and date of birth"));
        return Decision.permit(trail, Set.of());
    }

    /**
     * Rule 1 on writing an EpisodeOfCare that would give the writer's organisation a relationship with the patient:
     * only one it already has (registration, its own active episode, care team), or one that {@code $start-care}
     * has just checked by NHS number and date of birth ({@code startOfCareChecked}). The words are the same whether
     * or not the record knows the patient, so the refusal tells the writer nothing about who exists.
     */
    public Decision decideEpisodeOfCare(AccessContext who, PatientState about, boolean startOfCareChecked) {
        List<Reason> trail = new ArrayList<>();
        if (startOfCareChecked) {
            trail.add(Reason.of(PolicyRule.START_OF_CARE, who.organisation() + " starts care of " + about.patientId()
                    + ", its NHS number and date of birth matched"));
            return Decision.permit(trail, Set.of());
        }
        Optional<String> relationship = SharingPolicy.relationship(who, about);
        if (relationship.isEmpty()) {
            return Decision.deny(trail, Reason.of(PolicyRule.START_OF_CARE, who.organisation()
                    + " has no relationship with " + about.patientId() + " to record an episode of care under"));
        }
        trail.add(Reason.of(PolicyRule.LEGITIMATE_RELATIONSHIP, relationship.get()));
        return Decision.permit(trail, Set.of());
    }

    /**
     * Rule 12 on writing a referral: only an organisation with a relationship with the patient (registration, its own
     * active episode of care, the care team) refers them, and so gives the organisations it refers them to a
     * relationship for the referral and the patient's details. The words are the same whether or not the record knows
     * the patient.
     */
    public Decision decideReferral(AccessContext who, PatientState about) {
        List<Reason> trail = new ArrayList<>();
        if (!SharingPolicy.hasAnyRole(who, SharingPolicy.CARING_ROLES)) {
            return Decision.deny(trail, Reason.of(PolicyRule.REFERRAL_PARTIES,
                    SharingPolicy.rolesOf(who) + " do not refer patients"));
        }
        Optional<String> relationship = SharingPolicy.relationship(who, about);
        if (relationship.isEmpty()) {
            return Decision.deny(trail, Reason.of(PolicyRule.REFERRAL_PARTIES, who.organisation()
                    + " has no relationship with " + about.patientId() + " to refer them under"));
        }
        trail.add(Reason.of(PolicyRule.LEGITIMATE_RELATIONSHIP, relationship.get()));
        return Decision.permit(trail, Set.of());
    }

    /**
     * Rule 12 on writing a referral's status: only an organisation the referral is addressed to reports on it. The
     * words are the same whether the referral is missing, is no referral, or is addressed to others.
     *
     * @param recipients the organisations the referral in the Task's focus is addressed to; empty when there is no
     *                   such referral
     */
    public Decision decideReferralStatus(AccessContext who, Set<String> recipients) {
        List<Reason> trail = new ArrayList<>();
        if (!recipients.contains(who.organisation()) || !SharingPolicy.hasAnyRole(who, SharingPolicy.CARING_ROLES)) {
            return Decision.deny(trail, Reason.of(PolicyRule.REFERRAL_PARTIES,
                    "Task.focus is not a referral addressed to " + who.organisation()));
        }
        trail.add(Reason.of(PolicyRule.REFERRAL_PARTIES, "the referral is addressed to " + who.organisation()));
        return Decision.permit(trail, Set.of());
    }

    /**
     * A patient signed in for themselves records a new sharing choice (a Consent) about their own record, and
     * nothing else: earlier choices stay on the record, and the latest decides.
     *
     * @param about the states of the patients the resource is about
     */
    public Decision decidePatientWrite(AccessContext who, Permission kind, String resourceType,
            List<PatientState> about) {
        List<Reason> trail = new ArrayList<>();
        if (kind != Permission.CREATE || !"Consent".equals(resourceType)) {
            return Decision.deny(trail, Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    "a patient records only a new sharing choice of their own"));
        }
        if (about.size() != 1 || !about.get(0).belongsTo(who.nhsNumber())) {
            return Decision.deny(trail, Reason.of(PolicyRule.PATIENT_OWN_RECORD, "another patient's record"));
        }
        if (!who.scopes().writes(kind, resourceType, List.of(about.get(0).patientId()))) {
            return Decision.deny(trail, SharingPolicy.outOfScope(who, resourceType));
        }
        trail.add(Reason.of(PolicyRule.PATIENT_OWN_RECORD, "the patient's own sharing choice"));
        return Decision.permit(trail, Set.of());
    }
}
