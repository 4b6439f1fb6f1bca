package uk.sharedcare.record.consent;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.PurposeOfUse;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.ConsentEvaluation.Vote;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;

/**
 * Rule 10, the policy decision point for secondary use: who may take the pseudonymised extract, and who and what
 * is left out of it. Pure, like {@link SharingPolicy}, whose settings and consent evaluation it shares.
 *
 * <p>Left out, whatever the recipient: patients with a GP dissent code of either type, patients in an exempt
 * cohort (children included), and sensitive data. Left out for a recipient and purpose: data the patient's
 * consents deny it (a local opt-out without limits denies every purpose), data of an opt-in organisation the
 * patient has not opted in to, data whose custodian shares only with organisations it lists, and data whose
 * custodian was outside the scheme (rule 11) on the extract's reference date.
 */
public final class SecondaryUsePolicy {

    private static final ZoneId UK = ZoneId.of("Europe/London");

    private final PolicySettings settings;
    private final SecondaryUseSettings secondaryUse;
    private final ConsentEvaluation consents = new ConsentEvaluation();

    public SecondaryUsePolicy(PolicySettings settings, SecondaryUseSettings secondaryUse) {
        this.settings = settings;
        this.secondaryUse = secondaryUse;
    }

    public SecondaryUseSettings settings() {
        return secondaryUse;
    }

    /** Whether the caller may take an extract; the recipient is the caller's own organisation. */
    public Decision decideExtract(AccessContext who) {
        List<Reason> trail = new ArrayList<>();
        if (!who.hasRole(Role.COMMISSIONER) && !who.hasRole(Role.SYSTEM)) {
            return Decision.deny(trail, Reason.of(PolicyRule.SECONDARY_USE,
                    SharingPolicy.rolesOf(who) + " do not take extracts"));
        }
        Decision recipient = decideRecipient(who.organisation(), who.purpose());
        if (!recipient.permits()) {
            return recipient;
        }
        trail.add(Reason.of(PolicyRule.SECONDARY_USE, who.organisation() + " receives extracts for "
                + who.purpose().code() + ", asked by " + SharingPolicy.rolesOf(who)));
        return Decision.permit(trail, Set.of());
    }

    /** Whether the organisation receives extracts for this purpose (the extract command asks only this). */
    public Decision decideRecipient(String recipient, PurposeOfUse purpose) {
        Set<PurposeOfUse> purposes = secondaryUse.recipients().get(recipient);
        if (purposes == null) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.SECONDARY_USE,
                    recipient + " is not an extract recipient"));
        }
        if (!purposes.contains(purpose)) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.SECONDARY_USE, purpose.code()
                    + " is not a purpose " + recipient + " receives extracts for"));
        }
        return Decision.permit(List.of(Reason.of(PolicyRule.SECONDARY_USE, recipient + " receives extracts for "
                + purpose.code())), Set.of());
    }

    /**
     * Why the patient is left out of every extract, if they are: a GP dissent code (type 1 or 2), else an exempt
     * cohort, else being a child on the extract's reference date. One patient is counted under one rule.
     */
    public Optional<Exclusion> excludePatient(PatientState patient, Instant at) {
        if (patient.gpDissent().isPresent()) {
            GpDissent dissent = patient.gpDissent().get();
            String type = dissent.type() == GpDissent.Type.TYPE_1 ? "type-1" : "type-2";
            return Optional.of(new Exclusion("gp-dissent-" + type, Reason.of(PolicyRule.GP_DISSENT,
                    type + " dissent in force", dissent.evidence())));
        }
        if (!patient.exemptCohorts().isEmpty()) {
            String cohort = new TreeSet<>(patient.exemptCohorts()).first();
            return Optional.of(new Exclusion("exempt-cohort-" + cohort,
                    Reason.of(PolicyRule.EXEMPT_COHORT, String.join(", ", patient.exemptCohorts()))));
        }
        LocalDate onDate = LocalDate.ofInstant(at, UK);
        return patient.birthDate()
                .filter(born -> born.plusYears(settings.childAge()).isAfter(onDate))
                .map(born -> new Exclusion("exempt-cohort-child",
                        Reason.of(PolicyRule.EXEMPT_COHORT, "child under " + settings.childAge())));
    }

    /**
     * Whether an extract for the recipient may be made with this answer of the national service (fail closed): a
     * recipient configured as not needing the National Data Opt-out always may; any other needs an answer checked
     * no more than {@code max-age-days} before today, and never one dated after it.
     */
    public Decision decideNationalOptOut(String recipient, Optional<NationalOptOutList> answer, LocalDate today) {
        SecondaryUseSettings.NationalOptOut rules = secondaryUse.nationalOptOut();
        if (!needsNationalOptOut(recipient)) {
            return Decision.permit(List.of(Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, recipient
                    + " is configured as not needing the National Data Opt-out applied")), Set.of());
        }
        if (answer.isEmpty()) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, "no answer of the National"
                    + " Data Opt-out service is available, and no extract for " + recipient + " is made without one"));
        }
        NationalOptOutList list = answer.get();
        long age = ChronoUnit.DAYS.between(list.checkedOn(), today);
        if (age < 0) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, "the National Data Opt-out"
                    + " answer (" + list.source() + ") says it was checked on " + list.checkedOn()
                    + ", after today"));
        }
        if (age > rules.maxAgeDays()) {
            return Decision.deny(List.of(), Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, "the National Data Opt-out"
                    + " answer (" + list.source() + ") was checked on " + list.checkedOn() + ", " + age
                    + " days ago; an answer older than " + rules.maxAgeDays() + " days is not used"));
        }
        return Decision.permit(List.of(Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, "the National Data Opt-out"
                + " answer checked on " + list.checkedOn() + " (" + list.source() + ") is applied")), Set.of());
    }

    /** Whether the recipient's extracts apply the National Data Opt-out (every recipient's but those configured). */
    public boolean needsNationalOptOut(String recipient) {
        return !secondaryUse.nationalOptOut().notNeededBy().contains(recipient);
    }

    /** The national service's answer is there but cannot be read as one: an extract that needs it is not made. */
    public Decision nationalOptOutUnusable(String why) {
        return Decision.deny(List.of(), Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT, why));
    }

    /**
     * Why the national service's answer leaves the patient out, if it does: it does not allow their NHS number, or
     * they have none to check (fail closed).
     */
    public Optional<Exclusion> excludeNationally(PatientState patient, NationalOptOutList answer) {
        if (patient.nhsNumber().isEmpty()) {
            return Optional.of(new Exclusion("national-data-opt-out-unchecked", Reason.of(
                    PolicyRule.NATIONAL_DATA_OPT_OUT, "no NHS number to check against the National Data Opt-out")));
        }
        if (!answer.allows(patient.nhsNumber().get())) {
            return Optional.of(new Exclusion("national-data-opt-out", Reason.of(PolicyRule.NATIONAL_DATA_OPT_OUT,
                    "the National Data Opt-out answer checked on " + answer.checkedOn()
                            + " does not allow this patient's data to be used")));
        }
        return Optional.empty();
    }

    /** Why one resource of an included patient is left out of the recipient's extract, if it is. */
    public Optional<Exclusion> excludeResource(PatientState patient, ResourceFacts resource, String recipient,
            PurposeOfUse purpose, Instant at) {
        Set<String> sensitive = new TreeSet<>(resource.securityLabels());
        sensitive.retainAll(settings.sensitiveLabels());
        if (!sensitive.isEmpty()) {
            return Optional.of(new Exclusion("sensitive-data", Reason.of(PolicyRule.SENSITIVE_DATA,
                    "labelled " + String.join(", ", sensitive))));
        }
        Optional<Reason> outsideTheScheme = resource.custodian()
                .flatMap(custodian -> patient.participation().outside(custodian, LocalDate.ofInstant(at, UK)));
        if (outsideTheScheme.isPresent()) {
            return Optional.of(new Exclusion("sharing-agreement", outsideTheScheme.get()));
        }
        OrganisationSharing sharing = resource.custodian()
                .map(custodian -> settings.sharingOf(custodian, patient.organisationSharing()))
                .orElse(OrganisationSharing.DEFAULT);
        if (!sharing.shareOnlyWith().isEmpty() && !sharing.shareOnlyWith().contains(recipient)) {
            return Optional.of(new Exclusion("custodian-allow-list", Reason.of(PolicyRule.CUSTODIAN_ALLOW_LIST,
                    resource.custodian().orElse("") + " does not list " + recipient + " (" + sharing.source() + ")")));
        }
        Optional<Vote> vote = consents.evaluate(patient.consents(), recipient, purpose, resource, at);
        if (vote.isPresent() && vote.get().effect() == Effect.DENY) {
            return Optional.of(new Exclusion("local-opt-out", Reason.of(PolicyRule.PATIENT_DISSENT,
                    "dissent applies to " + purpose.code() + " use of " + resource.type(), vote.get().consentId())));
        }
        if (vote.isEmpty() && sharing.model() == SharingModel.OPT_IN) {
            return Optional.of(new Exclusion("no-opt-in", Reason.of(PolicyRule.OPT_IN_WITHOUT_CONSENT,
                    resource.custodian().orElse("") + " is opt-in (" + sharing.source() + ")")));
        }
        return Optional.empty();
    }

    /** A resource also about a patient who is not in the extract (outside its Group, or no longer recorded). */
    public Exclusion sharedWithPatientOutsideExtract() {
        return new Exclusion("shared-with-patient-outside-extract", Reason.of(PolicyRule.SECONDARY_USE,
                "the resource is also about a patient who is not in this extract"));
    }

    /** A recipient the policy names but the deployment has given no pseudonymisation key: nothing can leave. */
    public Decision recipientWithoutKey(String recipient) {
        return Decision.deny(List.of(), Reason.of(PolicyRule.SECONDARY_USE,
                "no pseudonymisation key is configured for " + recipient));
    }
}
