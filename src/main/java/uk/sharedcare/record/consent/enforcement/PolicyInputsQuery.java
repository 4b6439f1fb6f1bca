package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.interceptor.model.RequestPartitionId;
import ca.uhn.fhir.jpa.dao.ISearchBuilder;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceIndexedSearchParamToken;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.referral.Referrals;

/**
 * Finds a patient's {@link PolicyInputs} in one statement over HAPI's own indexes, then has HAPI's loader read
 * their current versions together (one statement, and one for their tags): the ids of the Patient and of every
 * Consent, EpisodeOfCare, CareTeam and Flag referring to it, and of the Conditions and Observations referring to
 * it with a cohort or dissent code, and of the ServiceRequests referring to it with the referral category, found
 * through the reference index ({@code HFJ_RES_LINK}) and the token index's system-and-code hashes
 * ({@code HFJ_SPIDX_TOKEN}). The index only narrows the set: each loaded resource
 * is checked again for the patient it is about, its status and its code, as the policy reads them.
 * (docs/decisions/0013)
 */
final class PolicyInputsQuery {

    private static final Set<String> EVERY_VERSION_COUNTS = Set.of("Consent", "EpisodeOfCare", "CareTeam", "Flag");

    private final JdbcTemplate jdbc;
    private final SearchBuilderFactory<JpaPid> searchBuilders;
    private final IHapiTransactionService transactions;
    private final Set<Code> cohortCodes;
    private final Set<Code> dissentCodes;
    private final Object[] codeHashes;

    PolicyInputsQuery(JdbcTemplate jdbc, SearchBuilderFactory<JpaPid> searchBuilders,
            IHapiTransactionService transactions, PartitionSettings partitions, CodeLists codes) {
        if (partitions.isPartitioningEnabled()) {
            // Ids and hashes would then depend on the partition; the record has no partitions to ask about.
            throw new IllegalStateException("The Shared Care Record does not support HAPI's partitioning");
        }
        this.jdbc = jdbc;
        this.searchBuilders = searchBuilders;
        this.transactions = transactions;
        this.cohortCodes = Set.copyOf(codes.allCohortCodes());
        this.dissentCodes = Set.copyOf(codes.allDissentCodes());
        List<Long> hashes = new ArrayList<>();
        cohortCodes.forEach(code -> hashes.add(codeHash(partitions, "Condition", code)));
        dissentCodes.forEach(code -> hashes.add(codeHash(partitions, "Observation", code)));
        hashes.add(ResourceIndexedSearchParamToken.calculateHashSystemAndValue(partitions,
                RequestPartitionId.defaultPartition(), "ServiceRequest", "category", Referrals.CATEGORY_SYSTEM,
                Referrals.CATEGORY_CODE));
        this.codeHashes = hashes.toArray();
    }

    PolicyInputs fetch(String patientId) {
        return fetchAll(List.of(patientId)).get(patientId);
    }

    /**
     * The inputs of several patients ({@code Patient/<id>}) in the same two or three statements as one patient's:
     * the ids of all of them at once, one load, then each resource given to the patient it is about.
     */
    Map<String, PolicyInputs> fetchAll(Collection<String> patientIds) {
        List<String> ids = patientIds.stream().map(patientId -> new IdType(patientId).getIdPart()).distinct().toList();
        List<IBaseResource> loaded = ids.isEmpty() ? List.of() : transactions.withSystemRequest().readOnly()
                .execute(() -> {
                    Object[] parameters = Stream.of(ids.stream(), ids.stream(), Stream.of(codeHashes))
                            .flatMap(s -> s).toArray();
                    List<JpaPid> pids = jdbc.query(idsSql(ids.size(), codeHashes.length), (row, n) ->
                            JpaPid.fromIdAndResourceType(row.getLong(1), row.getString(2)), parameters)
                            .stream().distinct().toList();
                    if (pids.isEmpty()) {
                        return List.<IBaseResource>of();
                    }
                    ISearchBuilder<JpaPid> loader = searchBuilders.newSearchBuilder("Patient", Patient.class);
                    return loader.loadResourcesByPid(pids, new SystemRequestDetails());
                });
        Map<String, Patient> patients = new HashMap<>();
        Map<String, List<IBaseResource>> about = new HashMap<>();
        for (IBaseResource resource : loaded) {
            if (resource instanceof Patient patient) {
                patients.put(patient.getIdElement().getIdPart(), patient);
            } else if (resource != null) {
                patientOf(resource).ifPresent(id -> about.computeIfAbsent(id, k -> new ArrayList<>()).add(resource));
            }
        }
        Map<String, PolicyInputs> inputs = new LinkedHashMap<>();
        for (String patientId : patientIds) {
            String id = new IdType(patientId).getIdPart();
            inputs.put(patientId, inputsOf(id, Optional.ofNullable(patients.get(id)),
                    about.getOrDefault(id, List.of())));
        }
        return inputs;
    }

    private PolicyInputs inputsOf(String id, Optional<Patient> patient, List<IBaseResource> loaded) {
        if (patient.isEmpty()) {
            return PolicyInputs.NONE;
        }
        return new PolicyInputs(
                patient,
                ofType(loaded, Consent.class)
                        .filter(c -> refersTo(c.getPatient(), id) && c.getStatus() == Consent.ConsentState.ACTIVE)
                        .toList(),
                ofType(loaded, EpisodeOfCare.class)
                        .filter(e -> refersTo(e.getPatient(), id)
                                && e.getStatus() == EpisodeOfCare.EpisodeOfCareStatus.ACTIVE)
                        .toList(),
                ofType(loaded, CareTeam.class)
                        .filter(t -> refersTo(t.getSubject(), id) && t.getStatus() == CareTeam.CareTeamStatus.ACTIVE)
                        .toList(),
                ofType(loaded, Flag.class)
                        .filter(f -> refersTo(f.getSubject(), id) && f.getStatus() == Flag.FlagStatus.ACTIVE)
                        .toList(),
                ofType(loaded, Condition.class)
                        .filter(c -> refersTo(c.getSubject(), id) && codedWithAny(c.getCode(), cohortCodes))
                        .toList(),
                ofType(loaded, Observation.class)
                        .filter(o -> refersTo(o.getSubject(), id)
                                && codedWithAny(o.getCode(), dissentCodes))
                        .toList(),
                ofType(loaded, ServiceRequest.class)
                        .filter(r -> refersTo(r.getSubject(), id) && Referrals.isReferral(r)
                                && r.getStatus() == ServiceRequest.ServiceRequestStatus.ACTIVE)
                        .toList());
    }

    /** The patient (id part) a policy input is about, by the element the policy reads. */
    private static Optional<String> patientOf(IBaseResource resource) {
        Reference about;
        if (resource instanceof Consent consent) {
            about = consent.getPatient();
        } else if (resource instanceof EpisodeOfCare episode) {
            about = episode.getPatient();
        } else if (resource instanceof CareTeam team) {
            about = team.getSubject();
        } else if (resource instanceof Flag flag) {
            about = flag.getSubject();
        } else if (resource instanceof Condition condition) {
            about = condition.getSubject();
        } else if (resource instanceof Observation observation) {
            about = observation.getSubject();
        } else if (resource instanceof ServiceRequest referral) {
            about = referral.getSubject();
        } else {
            return Optional.empty();
        }
        if (about.getReference() == null) {
            return Optional.empty();
        }
        IdType target = new IdType(about.getReference());
        return "Patient".equals(target.getResourceType()) ? Optional.of(target.getIdPart()) : Optional.empty();
    }

    /**
     * The Patient's own row, then every resource whose references the index links to it: of the types whose
     * every version counts, any; of Conditions, Observations and ServiceRequests, those indexed under one of the
     * codes (each hash includes its type, so a Condition's code never picks out a ServiceRequest).
     */
    private static String idsSql(int patientCount, int codeCount) {
        String patients = "?,".repeat(patientCount - 1) + "?";
        String coded = codeCount == 0 ? "" : " or s.RES_TYPE in ('Condition', 'Observation', 'ServiceRequest')"
                + " and exists (select 1"
                + " from HFJ_SPIDX_TOKEN t where t.RES_ID = s.RES_ID and t.HASH_SYS_AND_VALUE in ("
                + "?,".repeat(codeCount - 1) + "?))";
        return "select p.RES_ID, p.RES_TYPE from HFJ_RESOURCE p"
                + " where p.RES_TYPE = 'Patient' and p.FHIR_ID in (" + patients + ") and p.RES_DELETED_AT is null"
                + " union"
                + " select s.RES_ID, s.RES_TYPE from HFJ_RESOURCE p"
                + " join HFJ_RES_LINK l on l.TARGET_RESOURCE_ID = p.RES_ID"
                + " join HFJ_RESOURCE s on s.RES_ID = l.SRC_RESOURCE_ID"
                + " where p.RES_TYPE = 'Patient' and p.FHIR_ID in (" + patients + ") and p.RES_DELETED_AT is null"
                + " and s.RES_DELETED_AT is null"
                + " and (s.RES_TYPE in (" + quoted(EVERY_VERSION_COUNTS) + ")" + coded + ")";
    }

    private static String quoted(Collection<String> types) {
        return String.join(", ", types.stream().sorted().map(type -> "'" + type + "'").toList());
    }

    /** The hash HAPI indexes a coding of {@code code} under, for a search {@code <type>?code=<system>|<code>}. */
    private static long codeHash(PartitionSettings partitions, String resourceType, Code code) {
        return ResourceIndexedSearchParamToken.calculateHashSystemAndValue(partitions,
                RequestPartitionId.defaultPartition(), resourceType, "code", code.system(), code.code());
    }

    private static <T> Stream<T> ofType(List<IBaseResource> resources, Class<T> type) {
        return resources.stream().filter(Objects::nonNull).filter(type::isInstance).map(type::cast);
    }

    private static boolean refersTo(Reference reference, String patientIdPart) {
        if (reference.getReference() == null) {
            return false;
        }
        IdType target = new IdType(reference.getReference());
        return "Patient".equals(target.getResourceType()) && patientIdPart.equals(target.getIdPart());
    }

    private static boolean codedWithAny(CodeableConcept concept, Set<Code> wanted) {
        return Code.allOf(concept).stream().anyMatch(wanted::contains);
    }
}
