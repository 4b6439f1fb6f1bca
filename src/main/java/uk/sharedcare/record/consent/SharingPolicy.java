package uk.sharedcare.record.consent;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.ConsentEvaluation.Vote;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;

/**
 * The policy decision point: who may see and change what in the shared record. Pure — inputs are the caller's
 * access context, the patient's state and the resource's facts; the output is a {@link Decision} naming every rule
 * that took part. Deny by default: a read is permitted only when every rule on its path lets it through.
 *
 * <p>Order for a read of another organisation's data: purpose (8), both organisations' sharing agreements (11),
 * sensitive data (6), GP dissent (4), the parties to a referral (12), break-glass (8, which passes over 1, 2, 3 and
 * 5 for clinical roles), relationship and allow-list (1, where being party to a referral counts for the referral
 * and the patient's details), exempt cohorts (5), the patient's consents and the custodian's sharing model (2, 3),
 * role view (7, which a referral's caring parties pass for the referral). An organisation always sees what it
 * recorded itself.
 */
public final class SharingPolicy {

    private static final ZoneId UK = ZoneId.of("Europe/London");

    /** The roles that care for patients: they may start caring for one, and take part in referrals. */
    static final Set<Role> CARING_ROLES = EnumSet.of(Role.GP, Role.CLINICIAN, Role.SOCIAL_WORKER, Role.SYSTEM);

    /** What a patient signed in for themselves sees of their own record. */
    private static final Set<String> PATIENTS_OWN_TYPES = Set.of("Patient", "Consent");

    private final PolicySettings settings;
    private final ConsentEvaluation consents = new ConsentEvaluation();

    public SharingPolicy(PolicySettings settings) {
        this.settings = settings;
    }

    /** Rule 8 for the request as a whole: the live API shows identifiable data only for direct care. */
    public Decision decideRequest(AccessContext who) {
        if (who.isPatient()) {
            return Decision.permit(List.of(Reason.of(PolicyRule.PATIENT_OWN_RECORD, "a patient, for themselves")),
                    Set.of());
        }
        if (!settings.identifiablePurposes().contains(who.purpose())) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.PURPOSE_OF_USE,
                    who.purpose().code() + " (" + who.purpose().display() + ") is not a direct-care purpose"));
        }
        return Decision.permit(List.of(Reason.of(PolicyRule.PURPOSE_OF_USE, "purpose " + who.purpose().code())),
                Set.of());
    }

    public Decision decideRead(AccessContext who, PatientState patient, ResourceFacts resource) {
        if (who.isPatient()) {
            return patientsOwnRecord(who, patient, resource.type());
        }
        Decision request = decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!who.scopes().shows(resource.type(), List.of(patient.patientId()))) {
            return Decision.deny(trail, outOfScope(who, resource.type()));
        }
        if (resource.recordedBy(who.organisation())) {
            trail.add(Reason.of(PolicyRule.OWN_DATA, "recorded by " + who.organisation()));
            return Decision.permit(trail, Set.of());
        }
        Optional<Reason> refusal = outsideTheScheme(who, patient, resource, trail)
                .or(() -> sensitiveOrDissented(patient, resource))
                .or(() -> notAPartyToTheReferral(who, resource));
        if (refusal.isPresent()) {
            return Decision.deny(trail, refusal.get());
        }
        if (who.isBreakGlass() && hasAnyRole(who, settings.breakGlassRoles())) {
            trail.add(Reason.of(PolicyRule.BREAK_GLASS, "reason given: " + who.breakGlassReason().orElse("")));
            return roleView(who, resource, trail, EnumSet.of(Obligation.REVIEW_BREAK_GLASS));
        }
        refusal = directCareSharing(who, patient, resource, trail);
        if (refusal.isPresent()) {
            return Decision.deny(trail, refusal.get());
        }
        return roleView(who, resource, trail, EnumSet.noneOf(Obligation.class));
    }

    /** What a patient signed in for themselves sees: their own Patient resource and sharing choices, nothing else. */
    private static Decision patientsOwnRecord(AccessContext who, PatientState patient, String type) {
        List<Reason> trail = new ArrayList<>();
        if (!patient.belongsTo(who.nhsNumber())) {
            return Decision.deny(trail, Reason.of(PolicyRule.PATIENT_OWN_RECORD, "another patient's record"));
        }
        if (!PATIENTS_OWN_TYPES.contains(type)) {
            return Decision.deny(trail, Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    type + " is shown to the patient by the services that care for them"));
        }
        if (!who.scopes().shows(type, List.of(patient.patientId()))) {
            return Decision.deny(trail, outOfScope(who, type));
        }
        trail.add(Reason.of(PolicyRule.PATIENT_OWN_RECORD, "the patient's own " + type));
        return Decision.permit(trail, Set.of());
    }

    /** The SMART scope refusal: which scopes the token carries, none of which covers this. */
    static Reason outOfScope(AccessContext who, String type) {
        return Reason.of(PolicyRule.SMART_SCOPE, type + " is not within the token's scopes ("
                + who.scopes().describe() + ")");
    }

    /** Directory data (organisations, practitioners, their roles) is shared for any direct-care purpose. */
    public Decision decideDirectoryRead(AccessContext who, ResourceFacts resource) {
        if (who.isPatient() && !"Organization".equals(resource.type())) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    "a patient sees the organisations of the directory, not its people"));
        }
        Decision request = decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!who.scopes().showsDirectory(resource.type())) {
            return Decision.deny(trail, outOfScope(who, resource.type()));
        }
        trail.add(Reason.of(PolicyRule.DIRECTORY, resource.type() + " is directory data"));
        return Decision.permit(trail, Set.of());
    }

    /** Data about no patient (subscriptions, for example) is its custodian's alone. */
    public Decision decideUnattachedRead(AccessContext who, ResourceFacts resource) {
        if (who.isPatient()) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    resource.type() + " is about no patient"));
        }
        Decision request = decideRequest(who);
        if (!request.permits()) {
            return request;
        }
        List<Reason> trail = new ArrayList<>(request.reasons());
        if (!who.scopes().shows(resource.type(), List.of())) {
            return Decision.deny(trail, outOfScope(who, resource.type()));
        }
        if (resource.recordedBy(who.organisation())) {
            trail.add(Reason.of(PolicyRule.OWN_DATA, "recorded by " + who.organisation()));
            return Decision.permit(trail, Set.of());
        }
        return Decision.deny(trail, Reason.of(PolicyRule.NOT_ABOUT_A_PATIENT,
                resource.type() + " recorded by " + custodianOf(resource)));
    }

    /** The audit trail: data protection officers, and the registered practice's GPs for their own patients. */
    public Decision decideAuditRead(AccessContext who, List<PatientState> patients) {
        List<Reason> trail = new ArrayList<>();
        if (who.isPatient()) {
            return Decision.deny(trail, Reason.of(PolicyRule.PATIENT_OWN_RECORD,
                    "a patient reads who has looked at their record in its access report"));
        }
        if (!who.scopes().shows("AuditEvent", patients.stream().map(PatientState::patientId).toList())) {
            return Decision.deny(trail, outOfScope(who, "AuditEvent"));
        }
        if (who.hasRole(Role.DPO)) {
            trail.add(Reason.of(PolicyRule.AUDIT_READERS, "data protection officer"));
            return Decision.permit(trail, Set.of());
        }
        boolean ownPatients = !patients.isEmpty() && who.hasRole(Role.GP) && patients.stream()
                .allMatch(p -> p.registeredPractice().filter(who.organisation()::equals).isPresent());
        if (ownPatients) {
            trail.add(Reason.of(PolicyRule.AUDIT_READERS, who.organisation() + " is the registered GP practice"));
            return Decision.permit(trail, Set.of());
        }
        return Decision.deny(trail, Reason.of(PolicyRule.AUDIT_READERS, rolesOf(who) + " at " + who.organisation()));
    }

    /**
     * Rule 11, which break-glass does not pass over either: the reader's organisation and the data's custodian
     * both take part in the scheme today. What lets them is added to the trail, what stops them is returned.
     */
    private static Optional<Reason> outsideTheScheme(AccessContext who, PatientState patient, ResourceFacts resource,
            List<Reason> trail) {
        LocalDate today = LocalDate.ofInstant(who.at(), UK);
        SchemeParticipation scheme = patient.participation();
        List<String> parties = new ArrayList<>(List.of(who.organisation()));
        resource.custodian().filter(custodian -> !custodian.equals(who.organisation())).ifPresent(parties::add);
        for (String party : parties) {
            Optional<Reason> outside = scheme.outside(party, today);
            if (outside.isPresent()) {
                return outside;
            }
        }
        parties.forEach(party -> scheme.takesPart(party).ifPresent(trail::add));
        return Optional.empty();
    }

    /** Rules 6 and 4, which even break-glass does not pass over. */
    private Optional<Reason> sensitiveOrDissented(PatientState patient, ResourceFacts resource) {
        Set<String> sensitive = sensitiveLabels(resource);
        if (!sensitive.isEmpty()) {
            return Optional.of(Reason.of(PolicyRule.SENSITIVE_DATA,
                    "labelled " + String.join(", ", sensitive) + " by " + custodianOf(resource)));
        }
        if (patient.gpDissent().isPresent() && settings.gpDissentBlocksLocalSharing()) {
            GpDissent dissent = patient.gpDissent().get();
            return Optional.of(Reason.of(PolicyRule.GP_DISSENT, dissent.type() + " dissent in force",
                    dissent.evidence()));
        }
        return Optional.empty();
    }

    /** Rule 12: a referral and its status are seen by the organisations it is between, and no one else. */
    private static Optional<Reason> notAPartyToTheReferral(AccessContext who, ResourceFacts resource) {
        if (!resource.isPartOfAReferral() || resource.isPartyToTheReferral(who.organisation())) {
            return Optional.empty();
        }
        return Optional.of(Reason.of(PolicyRule.REFERRAL_PARTIES, resource.type() + " of a referral between "
                + String.join(", ", new TreeSet<>(resource.referralParties()))));
    }

    /**
     * Rule 12's part in rule 1: a party to a referral has a relationship for the referral itself, and an organisation
     * an active referral is addressed to has one for the patient's details, so that it can tell who is referred and
     * start care with their NHS number and date of birth.
     */
    private static Optional<String> referralRelationship(AccessContext who, PatientState patient,
            ResourceFacts resource) {
        String organisation = who.organisation();
        if (resource.isPartyToTheReferral(organisation)) {
            return Optional.of(organisation + " is a party to the referral");
        }
        if ("Patient".equals(resource.type()) && patient.referredTo().contains(organisation)) {
            return Optional.of(organisation + " has been referred the patient");
        }
        return Optional.empty();
    }

    /** Rules 1, 5, 2 and 3; what lets the read through is added to the trail, what stops it is returned. */
    private Optional<Reason> directCareSharing(AccessContext who, PatientState patient, ResourceFacts resource,
            List<Reason> trail) {
        String organisation = who.organisation();
        Optional<String> relationship = relationship(who, patient)
                .or(() -> referralRelationship(who, patient, resource));
        if (relationship.isEmpty()) {
            return Optional.of(Reason.of(PolicyRule.LEGITIMATE_RELATIONSHIP,
                    "no registration, active episode of care or care team membership for " + organisation));
        }
        trail.add(Reason.of(PolicyRule.LEGITIMATE_RELATIONSHIP, relationship.get()));
        OrganisationSharing sharing = resource.custodian()
                .map(custodian -> settings.sharingOf(custodian, patient.organisationSharing()))
                .orElse(OrganisationSharing.DEFAULT);
        if (!sharing.shareOnlyWith().isEmpty() && !sharing.shareOnlyWith().contains(organisation)) {
            return Optional.of(Reason.of(PolicyRule.CUSTODIAN_ALLOW_LIST,
                    custodianOf(resource) + " does not list " + organisation + " (" + sharing.source() + ")"));
        }
        Optional<String> exemption = exemption(patient, who);
        if (exemption.isPresent()) {
            return Optional.of(Reason.of(PolicyRule.EXEMPT_COHORT, exemption.get()));
        }
        return patientChoice(who, patient, resource, sharing, trail);
    }

    /** Rules 2 and 3: the patient's consents, else the custodian's sharing model. */
    private Optional<Reason> patientChoice(AccessContext who, PatientState patient, ResourceFacts resource,
            OrganisationSharing sharing, List<Reason> trail) {
        Optional<Vote> vote = consents.evaluate(patient.consents(), who.organisation(), who.purpose(), resource,
                who.at());
        if (vote.isPresent() && vote.get().effect() == Effect.DENY) {
            return Optional.of(Reason.of(PolicyRule.PATIENT_DISSENT,
                    "dissent applies to " + who.organisation() + " seeing " + resource.type(),
                    vote.get().consentId()));
        }
        if (vote.isPresent()) {
            trail.add(Reason.of(PolicyRule.PATIENT_PERMIT, "permit applies", vote.get().consentId()));
        } else if (sharing.model() == SharingModel.OPT_IN) {
            return Optional.of(Reason.of(PolicyRule.OPT_IN_WITHOUT_CONSENT,
                    custodianOf(resource) + " is opt-in (" + sharing.source() + ")"));
        } else {
            trail.add(Reason.of(PolicyRule.SHARED_BY_DEFAULT, "no consent limits this; " + custodianOf(resource)
                    + " shares by default (" + sharing.source() + ")"));
        }
        return Optional.empty();
    }

    private static String custodianOf(ResourceFacts resource) {
        return resource.custodian().orElse("an unknown organisation");
    }

    private Decision roleView(AccessContext who, ResourceFacts resource, List<Reason> trail,
            Set<Obligation> obligations) {
        if (resource.isPartyToTheReferral(who.organisation()) && hasAnyRole(who, CARING_ROLES)) {
            trail.add(Reason.of(PolicyRule.REFERRAL_PARTIES, rolesOf(who) + " at a party to the referral see its "
                    + resource.type()));
            return Decision.permit(trail, obligations);
        }
        List<Role> seeing = who.roles().stream()
                .filter(role -> settings.roleViews().getOrDefault(role, Set.of()).contains(resource.type()))
                .toList();
        if (seeing.isEmpty()) {
            return Decision.deny(trail, Reason.of(PolicyRule.ROLE_VIEW,
                    rolesOf(who) + " do not see " + resource.type()));
        }
        Set<Obligation> all = EnumSet.noneOf(Obligation.class);
        all.addAll(obligations);
        boolean redacted = seeing.stream().allMatch(role ->
                settings.redactedForRoles().getOrDefault(role, Set.of()).contains(resource.type()));
        if (redacted) {
            all.add(Obligation.REDACT_CLINICAL_DETAIL);
        }
        trail.add(Reason.of(PolicyRule.ROLE_VIEW, rolesOf(who) + " see " + resource.type()
                + (redacted ? " without clinical detail" : "")));
        return Decision.permit(trail, all);
    }

    /** Rule 1's relationship of the caller with the patient, in words; empty when there is none. */
    static Optional<String> relationship(AccessContext who, PatientState patient) {
        String organisation = who.organisation();
        if (patient.registeredPractice().filter(organisation::equals).isPresent()) {
            return Optional.of(organisation + " is the registered GP practice");
        }
        if (patient.episodeOrganisations().contains(organisation)) {
            return Optional.of(organisation + " has an active episode of care");
        }
        return who.practitioner()
                .filter(patient.careTeamPractitioners()::contains)
                .map(practitioner -> "Practitioner/" + practitioner + " is in the patient's active care team");
    }

    private Optional<String> exemption(PatientState patient, AccessContext who) {
        if (!patient.exemptCohorts().isEmpty()) {
            return Optional.of(String.join(", ", patient.exemptCohorts()));
        }
        LocalDate today = LocalDate.ofInstant(who.at(), UK);
        return patient.birthDate()
                .filter(born -> born.plusYears(settings.childAge()).isAfter(today))
                .map(born -> "child under " + settings.childAge());
    }

    private Set<String> sensitiveLabels(ResourceFacts resource) {
        Set<String> found = new TreeSet<>(resource.securityLabels());
        found.retainAll(settings.sensitiveLabels());
        return found;
    }

    static boolean hasAnyRole(AccessContext who, Set<Role> roles) {
        return who.roles().stream().anyMatch(roles::contains);
    }

    static String rolesOf(AccessContext who) {
        return who.roles().stream().map(Role::claimValue).sorted().toList().toString();
    }
}
