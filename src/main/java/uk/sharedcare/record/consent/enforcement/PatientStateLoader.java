package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import uk.sharedcare.record.StoredResources;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.ConsentDirective;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.SchemeParticipation;
import uk.sharedcare.record.referral.Referrals;
import uk.sharedcare.record.settings.OrganisationSharingStore;
import uk.sharedcare.record.settings.SharingAgreementStore;

/**
 * Loads what the policy needs to know about one patient from the record: registration, age, cohorts, GP dissent
 * codes, consents and the relationships others have with them. Read as the server's own work (no consent
 * filtering, no audit) in two or three statements ({@link PolicyInputsQuery}) when this node holds no current copy
 * of the state ({@code PatientStateCache}); callers outside enforcement that need the state as it is now load it
 * directly. Organisations' ODS codes are kept per node under the stamp every patient shares, which any change to
 * an Organization bumps.
 */
public final class PatientStateLoader {

    private record KeptCode(long everyPatientStamp, Optional<String> code) {}

    private final DaoRegistry daos;
    private final CodeLists codes;
    private final PolicyInputsQuery inputs;
    private final OrganisationSharingStore sharing;
    private final SharingAgreementStore agreements;
    private final Cache<String, KeptCode> organisationCodes =
            Caffeine.newBuilder().maximumSize(100_000).build();

    PatientStateLoader(DaoRegistry daos, CodeLists codes, PolicyInputsQuery inputs, OrganisationSharingStore sharing,
            SharingAgreementStore agreements) {
        this.daos = daos;
        this.codes = codes;
        this.inputs = inputs;
        this.sharing = sharing;
        this.agreements = agreements;
    }

    /** The patient's state as stored now, every organisation's code read afresh. */
    public PatientState load(String patientId) {
        Map<String, Optional<String>> read = new HashMap<>();
        return state(patientId, inputs.fetch(patientId),
                reference -> read.computeIfAbsent(key(reference), k -> organisationCode(reference)), sharing.current())
                .withParticipation(agreements.current());
    }

    /**
     * Several patients' states as stored now, read together (the extract's chunks): their inputs in the statements
     * of one patient's, each organisation's code read once for all of them.
     */
    public Map<String, PatientState> loadAll(Collection<String> patientIds) {
        Map<String, Optional<String>> read = new HashMap<>();
        Map<String, OrganisationSharing> sharingNow = sharing.current();
        SchemeParticipation participation = agreements.current();
        Map<String, PatientState> states = new LinkedHashMap<>();
        inputs.fetchAll(patientIds).forEach((patientId, found) -> states.put(patientId, state(patientId, found,
                reference -> read.computeIfAbsent(key(reference), k -> organisationCode(reference)), sharingNow)
                .withParticipation(participation)));
        return states;
    }

    /**
     * The patient's state as stored now, for a cache that keeps it under {@code everyPatientStamp}: organisations'
     * codes kept under that same stamp are used again.
     */
    public PatientState load(String patientId, long everyPatientStamp) {
        Map<String, OrganisationSharing> sharingNow = sharing.at(everyPatientStamp);
        SchemeParticipation participation = agreements.at(everyPatientStamp);
        return state(patientId, inputs.fetch(patientId), reference -> {
            String key = key(reference);
            KeptCode kept = organisationCodes.getIfPresent(key);
            if (kept != null && kept.everyPatientStamp() == everyPatientStamp) {
                return kept.code();
            }
            // A code read under an older stamp than the one it is kept with would pass for current: keep the later.
            KeptCode fresh = new KeptCode(everyPatientStamp, organisationCode(reference));
            organisationCodes.asMap().merge(key, fresh,
                    (old, loaded) -> old.everyPatientStamp() > loaded.everyPatientStamp() ? old : loaded);
            return fresh.code();
        }, sharingNow).withParticipation(participation);
    }

    private PatientState state(String patientId, PolicyInputs found, OrganisationCodes orgCodes,
            Map<String, OrganisationSharing> sharingNow) {
        if (found.patient().isEmpty()) {
            return new PatientState(patientId, Optional.empty(), Optional.empty(), Set.of(), Optional.empty(),
                    List.of(), Set.of(), Set.of(), sharingNow);
        }
        Patient patient = found.patient().get();
        Set<String> cohorts = new TreeSet<>(codes.cohortsForLabels(
                patient.getMeta().getSecurity().stream().map(c -> c.getCode()).toList()));
        cohorts.addAll(cohortsFromRecord(found));
        Optional<String> practice = patient.getGeneralPractitioner().stream()
                .filter(PatientStateLoader::isOrganisation)
                .map(orgCodes::of).flatMap(Optional::stream).findFirst();
        Set<String> episodes = episodeOrganisations(found.episodes(), orgCodes);
        Set<String> careTeamAuthors = new HashSet<>(episodes);
        practice.ifPresent(careTeamAuthors::add);
        return new PatientState(
                patientId,
                practice,
                Optional.ofNullable(patient.getBirthDate())
                        .map(d -> LocalDate.ofInstant(d.toInstant(), ZoneId.of("Europe/London"))),
                cohorts,
                new GpDissentReader(codes).inForce(found.dissentObservations(), found.flags()),
                consents(found.consents(), orgCodes),
                episodes,
                careTeamPractitioners(found.careTeams(), careTeamAuthors),
                sharingNow,
                patient.getIdentifier().stream()
                        .filter(identifier -> AccessContext.NHS_NUMBER_SYSTEM.equals(identifier.getSystem()))
                        .map(identifier -> identifier.getValue()).filter(Objects::nonNull).findFirst())
                .withReferralsTo(referredTo(found.referrals()));
    }

    /**
     * The organisations active referrals are addressed to, as the server recorded them when it checked that the
     * referrer had a relationship with the patient.
     */
    private static Set<String> referredTo(List<ServiceRequest> active) {
        Set<String> organisations = new TreeSet<>();
        active.forEach(referral -> organisations.addAll(Referrals.recipientsOf(referral)));
        return organisations;
    }

    private static String key(Reference reference) {
        return reference.getReference() == null ? "#" + reference.getIdentifier().getValue() : reference.getReference();
    }

    /** Only the patient's registered practice, for callers that need nothing else. */
    public Optional<String> registeredPractice(String patientId) {
        return read(Patient.class, patientId).flatMap(patient -> patient.getGeneralPractitioner().stream()
                .filter(PatientStateLoader::isOrganisation)
                .map(this::organisationCode).flatMap(Optional::stream).findFirst());
    }

    /** Resolves an organisation reference to its ODS code. */
    interface OrganisationCodes {
        Optional<String> of(Reference reference);
    }

    /** The ODS code of the organisation a reference names, by its identifier or the stored Organization's. */
    public Optional<String> organisationCode(Reference reference) {
        if (reference.hasIdentifier() && AccessContext.ODS_SYSTEM.equals(reference.getIdentifier().getSystem())) {
            return Optional.ofNullable(reference.getIdentifier().getValue());
        }
        if (!isOrganisation(reference)) {
            return Optional.empty();
        }
        return read(Organization.class, reference.getReference())
                .flatMap(org -> org.getIdentifier().stream()
                        .filter(i -> AccessContext.ODS_SYSTEM.equals(i.getSystem()))
                        .map(i -> i.getValue())
                        .findFirst());
    }

    private static boolean isOrganisation(Reference reference) {
        return reference.hasIdentifier() || reference.getReference() != null
                && reference.getReference().startsWith("Organization/");
    }

    private static List<ConsentDirective> consents(List<Consent> active, OrganisationCodes orgCodes) {
        ConsentReader reader = new ConsentReader(orgCodes::of);
        List<ConsentDirective> directives = new ArrayList<>();
        active.forEach(consent -> reader.read(consent).ifPresent(directives::add));
        return directives;
    }

    /**
     * Organisations with an active episode of care that they recorded themselves: an episode written by one
     * organisation naming another gives the other no relationship.
     */
    private static Set<String> episodeOrganisations(List<EpisodeOfCare> active, OrganisationCodes orgCodes) {
        Set<String> organisations = new HashSet<>();
        for (EpisodeOfCare episode : active) {
            orgCodes.of(episode.getManagingOrganization())
                    .filter(managing -> Custodian.of(episode).filter(managing::equals).isPresent())
                    .ifPresent(organisations::add);
        }
        return organisations;
    }

    /**
     * Participants of active care teams recorded by the registered practice or by an organisation with its own
     * episode of care: anyone else could otherwise enrol any practitioner in a care team.
     */
    private static Set<String> careTeamPractitioners(List<CareTeam> active, Set<String> trustedAuthors) {
        Set<String> practitioners = new HashSet<>();
        for (CareTeam team : active) {
            if (Custodian.of(team).filter(trustedAuthors::contains).isEmpty()) {
                continue;
            }
            team.getParticipant().stream()
                    .map(p -> p.getMember().getReferenceElement())
                    .filter(id -> "Practitioner".equals(id.getResourceType()))
                    .forEach(id -> practitioners.add(id.getIdPart()));
        }
        return practitioners;
    }

    private Set<String> cohortsFromRecord(PolicyInputs found) {
        Set<String> cohorts = new TreeSet<>();
        for (Condition condition : found.cohortConditions()) {
            boolean resolved = condition.getClinicalStatus().getCoding().stream()
                    .anyMatch(c -> "resolved".equals(c.getCode()) || "inactive".equals(c.getCode()));
            if (!resolved) {
                cohorts.addAll(codes.cohortsFor(Code.allOf(condition.getCode())));
            }
        }
        for (Flag flag : found.flags()) {
            cohorts.addAll(codes.cohortsFor(Code.allOf(flag.getCode())));
        }
        return cohorts;
    }

    private <T extends IBaseResource> Optional<T> read(Class<T> type, String id) {
        return StoredResources.read(daos, type, new IdType(id));
    }
}
