package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.ConsentDirective;
import uk.sharedcare.record.consent.GpDissent;
import uk.sharedcare.record.consent.PatientState;

/**
 * Loads what the policy needs to know about one patient from the record: registration, age, cohorts, GP dissent
 * codes, consents and the relationships others have with them. A handful of indexed searches, run as the
 * server's own work (no consent filtering, no audit), when this node holds no current copy of the state
 * ({@code PatientStateCache}); callers outside enforcement that need the state as it is now load it directly.
 */
public final class PatientStateLoader {

    private final DaoRegistry daos;
    private final CodeLists codes;

    PatientStateLoader(DaoRegistry daos, CodeLists codes) {
        this.daos = daos;
        this.codes = codes;
    }

    public PatientState load(String patientId) {
        Optional<Patient> found = read(Patient.class, patientId);
        Map<String, Optional<String>> organisations = new HashMap<>();
        OrganisationCodes orgCodes = reference -> organisations.computeIfAbsent(
                reference.getReference() == null ? "#" + reference.getIdentifier().getValue() : reference.getReference(),
                key -> organisationCode(reference));
        if (found.isEmpty()) {
            return new PatientState(patientId, Optional.empty(), Optional.empty(), Set.of(), Optional.empty(),
                    List.of(), Set.of(), Set.of());
        }
        Patient patient = found.get();
        List<Flag> flags = activeFlags(patientId);
        Set<String> cohorts = new TreeSet<>(codes.cohortsForLabels(
                patient.getMeta().getSecurity().stream().map(c -> c.getCode()).toList()));
        cohorts.addAll(cohortsFromRecord(patientId, flags));
        Optional<String> practice = patient.getGeneralPractitioner().stream()
                .filter(PatientStateLoader::isOrganisation)
                .map(orgCodes::of).flatMap(Optional::stream).findFirst();
        Set<String> episodes = episodeOrganisations(patientId, orgCodes);
        Set<String> careTeamAuthors = new HashSet<>(episodes);
        practice.ifPresent(careTeamAuthors::add);
        return new PatientState(
                patientId,
                practice,
                Optional.ofNullable(patient.getBirthDate())
                        .map(d -> LocalDate.ofInstant(d.toInstant(), ZoneId.of("Europe/London"))),
                cohorts,
                gpDissent(patientId, flags),
                consents(patientId, orgCodes),
                episodes,
                careTeamPractitioners(patientId, careTeamAuthors));
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

    private Optional<String> organisationCode(Reference reference) {
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

    private List<ConsentDirective> consents(String patientId, OrganisationCodes orgCodes) {
        ConsentReader reader = new ConsentReader(orgCodes::of);
        List<ConsentDirective> directives = new ArrayList<>();
        for (Consent consent : search(Consent.class, forPatient("patient", patientId).add("status",
                new TokenParam("active")))) {
            reader.read(consent).ifPresent(directives::add);
        }
        return directives;
    }

    /**
     * Organisations with an active episode of care that they recorded themselves: an episode written by one
     * organisation naming another gives the other no relationship.
     */
    private Set<String> episodeOrganisations(String patientId, OrganisationCodes orgCodes) {
        Set<String> organisations = new HashSet<>();
        for (EpisodeOfCare episode : search(EpisodeOfCare.class, forPatient("patient", patientId)
                .add("status", new TokenParam("active")))) {
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
    private Set<String> careTeamPractitioners(String patientId, Set<String> trustedAuthors) {
        Set<String> practitioners = new HashSet<>();
        for (CareTeam team : search(CareTeam.class, forPatient("patient", patientId)
                .add("status", new TokenParam("active")))) {
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

    private Set<String> cohortsFromRecord(String patientId, List<Flag> activeFlags) {
        Set<String> cohorts = new TreeSet<>();
        TokenOrListParam cohortCodes = anyOf(codes.allCohortCodes());
        if (cohortCodes.getValuesAsQueryTokens().isEmpty()) {
            return cohorts;
        }
        for (Condition condition : search(Condition.class, forPatient("patient", patientId).add("code", cohortCodes))) {
            boolean resolved = condition.getClinicalStatus().getCoding().stream()
                    .anyMatch(c -> "resolved".equals(c.getCode()) || "inactive".equals(c.getCode()));
            if (!resolved) {
                cohorts.addAll(codes.cohortsFor(Code.allOf(condition.getCode())));
            }
        }
        for (Flag flag : activeFlags) {
            cohorts.addAll(codes.cohortsFor(Code.allOf(flag.getCode())));
        }
        return cohorts;
    }

    private Optional<GpDissent> gpDissent(String patientId, List<Flag> activeFlags) {
        TokenOrListParam dissentCodes = anyOf(codes.allDissentCodes());
        if (dissentCodes.getValuesAsQueryTokens().isEmpty()) {
            return Optional.empty();
        }
        return new GpDissentReader(codes).inForce(
                search(Observation.class, forPatient("patient", patientId).add("code", dissentCodes)),
                activeFlags);
    }

    /** R4 has no code search on Flag, and a patient has few flags: all active ones, filtered by code here. */
    private List<Flag> activeFlags(String patientId) {
        return search(Flag.class, forPatient("patient", patientId)).stream()
                .filter(flag -> flag.getStatus() == Flag.FlagStatus.ACTIVE)
                .toList();
    }

    private static TokenOrListParam anyOf(Collection<Code> codes) {
        TokenOrListParam any = new TokenOrListParam();
        codes.forEach(c -> any.addOr(new TokenParam(c.system(), c.code())));
        return any;
    }

    private static SearchParameterMap forPatient(String param, String patientId) {
        return SearchParameterMap.newSynchronous(param, new ReferenceParam(patientId));
    }

    private <T extends IBaseResource> List<T> search(Class<T> type, SearchParameterMap query) {
        return daos.getResourceDao(type).search(query, new SystemRequestDetails()).getAllResources().stream()
                .map(type::cast)
                .toList();
    }

    private <T extends IBaseResource> Optional<T> read(Class<T> type, String id) {
        try {
            return Optional.of(daos.getResourceDao(type).read(new IdType(id),
                    new SystemRequestDetails()));
        } catch (ResourceNotFoundException | ResourceGoneException e) {
            return Optional.empty();
        }
    }
}
