package uk.sharedcare.record.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.SortSpec;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.HistorySearchDateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.codec.digest.DigestUtils;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import uk.sharedcare.record.consent.Exclusion;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.enforcement.PatientCompartment;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.record.consent.enforcement.ResourceFactsReader;

/**
 * Produces one extract: walks the patients (all, or a Group's members) in a fixed order, asks the secondary-use
 * policy who and what is left out, de-identifies the rest and writes one NDJSON file per type. Each resource is
 * taken as it stood at the extract's cut-off (from its history when it has changed since), so the same month
 * over the same data gives the same files, byte for byte. Consents and dissent are always applied as they stand
 * now: an opt-out recorded after the month ended still keeps the patient out. Runs as the server's own work.
 */
final class ExtractRunner {

    /** Told of progress; asked between patients whether to stop. */
    interface Progress {
        void patientsDone(long done);

        boolean cancelled();
    }

    static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("The extract was cancelled");
        }
    }

    /** Patients taken together (one search per type for all of them); the files do not depend on it. */
    static final int CHUNK = 500;

    private volatile int chunkSize = CHUNK;

    private final DaoRegistry daos;
    private final PatientStateLoader patients;
    private final SecondaryUsePolicy policy;
    private final FhirContext fhir;

    ExtractRunner(DaoRegistry daos, PatientStateLoader patients, SecondaryUsePolicy policy, FhirContext fhir) {
        this.daos = daos;
        this.patients = patients;
        this.policy = policy;
        this.fhir = fhir;
    }

    /**
     * @param nationalOptOut the National Data Opt-out this run applies (without an answer for a recipient
     *                       configured as not needing one)
     */
    /** For the test that shows the files do not depend on how the patients are chunked. */
    void chunkSize(int patients) {
        this.chunkSize = patients;
    }

    ExtractResult run(ExtractRequest request, Pseudonyms pseudonyms, NationalOptOut nationalOptOut, Path directory,
            Instant now, Progress progress) throws IOException {
        Files.createDirectories(directory);
        Optional<List<String>> members = request.group().map(this::members);
        Run run = new Run(request, request.cutOff(now), directory,
                new Deidentifier(fhir, pseudonyms, policy.settings().birthDatePrecision()), members, nationalOptOut);
        try {
            if (request.types().contains("Organization")) {
                forEachPage("Organization", organisations -> {
                    for (Resource organisation : organisations) {
                        run.writeUnattached(organisation);
                    }
                });
            }
            long[] done = {0};
            if (members.isPresent()) {
                int size = chunkSize;
                for (int from = 0; from < members.get().size(); from += size) {
                    List<String> chunk = members.get().subList(from, Math.min(from + size, members.get().size()));
                    run.patients(currentPatients(chunk));
                    done[0] += chunk.size();
                    checkIn(progress, done[0]);
                }
            } else {
                forEachPage("Patient", page -> {
                    run.patients(page);
                    done[0] += page.size();
                    checkIn(progress, done[0]);
                });
            }
            return run.finish();
        } finally {
            run.close();
        }
    }

    private static void checkIn(Progress progress, long done) {
        progress.patientsDone(done);
        if (progress.cancelled()) {
            throw new CancelledException();
        }
    }

    /** A Group's active Patient members, in the Group's order. */
    List<String> members(String groupId) {
        Group group = (Group) dao("Group").read(new IdType("Group", groupId), new SystemRequestDetails());
        return group.getMember().stream()
                .filter(member -> !member.getInactive())
                .map(member -> member.getEntity().getReferenceElement())
                .filter(id -> "Patient".equals(id.getResourceType()) && id.hasIdPart())
                .map(id -> id.getIdPart())
                .distinct()
                .toList();
    }

    private interface PageConsumer {
        void accept(List<Resource> page) throws IOException;
    }

    /** Every current resource of a type in id order, a page at a time, never from a cached search. */
    private void forEachPage(String type, PageConsumer consumer) throws IOException {
        SearchParameterMap all = new SearchParameterMap();
        all.setSort(new SortSpec("_id"));
        SystemRequestDetails request = new SystemRequestDetails();
        request.addHeader(Constants.HEADER_CACHE_CONTROL, Constants.CACHE_CONTROL_NO_CACHE);
        IBundleProvider results = dao(type).search(all, request);
        int size = chunkSize;
        for (int from = 0; ; from += size) {
            List<IBaseResource> page = results.getResources(from, from + size);
            if (page.isEmpty()) {
                return;
            }
            consumer.accept(page.stream().map(Resource.class::cast).toList());
        }
    }

    /** The current Patients of these ids, in the order given; ids with no current Patient are left out. */
    private List<Resource> currentPatients(List<String> ids) {
        TokenOrListParam wanted = new TokenOrListParam();
        ids.forEach(id -> wanted.addOr(new TokenParam(id)));
        SearchParameterMap query = SearchParameterMap.newSynchronous().add("_id", wanted);
        Map<String, Resource> found = new HashMap<>();
        dao("Patient").search(query, new SystemRequestDetails()).getAllResources()
                .forEach(patient -> found.put(patient.getIdElement().getIdPart(), (Resource) patient));
        return ids.stream().map(found::get).filter(Objects::nonNull).toList();
    }

    @SuppressWarnings("unchecked")
    private IFhirResourceDao<IBaseResource> dao(String type) {
        return (IFhirResourceDao<IBaseResource>) daos.getResourceDao(type);
    }

    /** The version of a resource current at the cut-off; empty if it did not exist then or was deleted. */
    private Optional<Resource> asAt(Resource current, Instant cutOff) {
        if (!current.getMeta().getLastUpdated().toInstant().isAfter(cutOff)) {
            return Optional.of(current);
        }
        IBundleProvider versions = dao(current.fhirType()).history(current.getIdElement().toUnqualifiedVersionless(),
                new HistorySearchDateRangeParam(Map.of(), new DateRangeParam(null, Date.from(cutOff)), null),
                new SystemRequestDetails());
        return versions.getResources(0, 1).stream()
                .filter(version -> ResourceMetadataKeyEnum.DELETED_AT.get((IAnyResource) version) == null)
                .map(Resource.class::cast)
                .filter(version -> !version.getMeta().getLastUpdated().toInstant().isAfter(cutOff))
                .findFirst();
    }

    /** One run's state: open files and counts. */
    private final class Run implements AutoCloseable {

        private final ExtractRequest request;
        private final Instant cutOff;
        private final Path directory;
        private final Deidentifier deidentifier;
        private final IParser json = fhir.newJsonParser().setPrettyPrint(false);
        private final Map<String, BufferedWriter> writers = new HashMap<>();
        private final Map<String, Long> written = new HashMap<>();
        private final Map<String, Long> patientsExcluded = new HashMap<>();
        private final Map<String, Long> resourcesExcluded = new HashMap<>();
        /** Exclusions of patients met as second owners of a shared resource, looked up once each. */
        private final Map<String, Optional<Exclusion>> otherOwners = new HashMap<>();
        private final Optional<Set<String>> members;
        private final NationalOptOut nationalOptOut;
        private long patientsIncluded;

        Run(ExtractRequest request, Instant cutOff, Path directory, Deidentifier deidentifier,
                Optional<List<String>> members, NationalOptOut nationalOptOut) {
            this.request = request;
            this.nationalOptOut = nationalOptOut;
            this.cutOff = cutOff;
            this.directory = directory;
            this.deidentifier = deidentifier;
            this.members = members.map(ids -> Set.copyOf(ids.stream().map(id -> "Patient/" + id).toList()));
        }

        /** One chunk of patients: each type's resources for all of them in one search, then patient by patient. */
        void patients(List<Resource> currentPatients) throws IOException {
            Map<String, List<Resource>> records = compartments(currentPatients.stream()
                    .map(patient -> "Patient/" + patient.getIdElement().getIdPart()).toList());
            for (Resource current : currentPatients) {
                String reference = "Patient/" + current.getIdElement().getIdPart();
                patient(current, records.getOrDefault(reference, List.of()));
            }
        }

        private void patient(Resource current, List<Resource> record) throws IOException {
            Optional<Resource> patient = asAt(current, cutOff);
            if (patient.isEmpty()) {
                return;
            }
            String reference = "Patient/" + current.getIdElement().getIdPart();
            PatientState state = patients.load(reference);
            Optional<Exclusion> excluded = patientExclusion(state, patient.get());
            if (excluded.isPresent()) {
                String rule = excluded.get().category();
                patientsExcluded.merge(rule, 1L, Long::sum);
                resourcesExcluded.merge(rule, 1L + record.size(), Long::sum);
                return;
            }
            patientsIncluded++;
            if (request.types().contains("Patient") && changedSince(patient.get())) {
                write(patient.get());
            }
            for (Resource resource : record) {
                List<String> owners = PatientCompartment.patientsOf(fhir, resource);
                if (owners.size() > 1 && !reference.equals(owners.get(0))) {
                    continue; // written, or left out, with its first patient
                }
                Optional<Exclusion> exclusion = owners.stream().filter(owner -> !owner.equals(reference))
                        .map(this::otherOwnerExclusion).flatMap(Optional::stream).findFirst()
                        .or(() -> policy.excludeResource(state, ResourceFactsReader.read(resource),
                                request.recipient(), request.purpose(), cutOff));
                if (exclusion.isPresent()) {
                    resourcesExcluded.merge(exclusion.get().category(), 1L, Long::sum);
                } else if (changedSince(resource)) {
                    write(resource);
                }
            }
        }

        void writeUnattached(Resource resource) throws IOException {
            Optional<Resource> asAt = asAt(resource, cutOff);
            if (asAt.isPresent() && changedSince(asAt.get())) {
                write(asAt.get());
            }
        }

        private Optional<Exclusion> patientExclusion(PatientState state, Resource patient) {
            return policy.excludePatient(state, cutOff)
                    .or(() -> nationalOptOut.answer().flatMap(answer -> policy.excludeNationally(state, answer)))
                    .or(() -> policy.excludeResource(state, ResourceFactsReader.read(patient), request.recipient(),
                            request.purpose(), cutOff));
        }

        /** A resource about several patients leaves only if every one of them is in the extract. */
        private Optional<Exclusion> otherOwnerExclusion(String owner) {
            if (members.isPresent() && !members.get().contains(owner)) {
                return Optional.of(policy.sharedWithPatientOutsideExtract());
            }
            return otherOwners.computeIfAbsent(owner, id -> current("Patient", id.substring("Patient/".length()))
                    .flatMap(p -> asAt(p, cutOff))
                    .map(p -> patientExclusion(patients.load(id), p))
                    .orElse(Optional.of(policy.sharedWithPatientOutsideExtract())));
        }

        /**
         * The chunk's patients' resources of the extracted types, as at the cut-off: per patient, by type then id.
         * One search per type for the whole chunk; a resource is in the record of each chunk patient its
         * {@code patient} search parameter names, as a search for that patient alone would find it.
         */
        private Map<String, List<Resource>> compartments(List<String> patientReferences) {
            Map<String, List<Resource>> records = new HashMap<>();
            Set<String> chunk = Set.copyOf(patientReferences);
            for (String type : ExtractRequest.EXTRACTED_TYPES) {
                if (type.equals("Patient") || type.equals("Organization") || !request.types().contains(type)
                        || patientReferences.isEmpty()) {
                    continue;
                }
                ReferenceOrListParam anyOfThem = new ReferenceOrListParam();
                patientReferences.forEach(reference -> anyOfThem.addOr(new ReferenceParam(reference)));
                SearchParameterMap query = SearchParameterMap.newSynchronous().add("patient", anyOfThem);
                List<Resource> found = dao(type).search(query, new SystemRequestDetails()).getAllResources()
                        .stream().map(Resource.class::cast)
                        .sorted(Comparator.comparing(r -> r.getIdElement().getIdPart()))
                        .toList();
                for (Resource resource : found) {
                    Optional<Resource> asAt = asAt(resource, cutOff);
                    if (asAt.isEmpty()) {
                        continue;
                    }
                    for (String patient : patientsNamedBy(resource)) {
                        if (chunk.contains(patient)) {
                            records.computeIfAbsent(patient, p -> new ArrayList<>()).add(asAt.get());
                        }
                    }
                }
            }
            return records;
        }

        private boolean changedSince(Resource resource) {
            return request.since().map(since -> !resource.getMeta().getLastUpdated().toInstant().isBefore(since))
                    .orElse(true);
        }

        private Optional<Resource> current(String type, String id) {
            try {
                return Optional.of((Resource) dao(type).read(new IdType(type, id), new SystemRequestDetails()));
            } catch (ResourceNotFoundException | ResourceGoneException e) {
                return Optional.empty();
            }
        }

        private void write(Resource resource) throws IOException {
            String type = resource.fhirType();
            BufferedWriter writer = writers.get(type);
            if (writer == null) {
                writer = Files.newBufferedWriter(directory.resolve(fileName(type)), StandardCharsets.UTF_8);
                writers.put(type, writer);
            }
            writer.write(json.encodeResourceToString(deidentifier.apply(resource)));
            writer.write('\n');
            written.merge(type, 1L, Long::sum);
        }

        ExtractResult finish() throws IOException {
            close();
            List<ExtractResult.OutputFile> files = new ArrayList<>();
            for (String type : ExtractRequest.EXTRACTED_TYPES) {
                if (written.containsKey(type)) {
                    files.add(new ExtractResult.OutputFile(type, fileName(type), written.get(type),
                            sha256(directory.resolve(fileName(type)))));
                }
            }
            return new ExtractResult(cutOff, files, patientsIncluded, new LinkedHashMap<>(patientsExcluded),
                    new LinkedHashMap<>(resourcesExcluded), nationalOptOut.applied());
        }

        @Override
        public void close() throws IOException {
            for (BufferedWriter writer : writers.values()) {
                writer.close();
            }
            writers.clear();
        }
    }

    /** The element each extracted type's {@code patient} search parameter reads (R4). */
    private static final Map<String, String> PATIENT_ELEMENT = Map.of("AllergyIntolerance", "patient",
            "EpisodeOfCare", "patient");

    /** The Patients a resource's {@code patient} search parameter names. */
    private Set<String> patientsNamedBy(Resource resource) {
        String element = PATIENT_ELEMENT.getOrDefault(resource.fhirType(), "subject");
        Set<String> named = new LinkedHashSet<>();
        for (Reference reference : fhir.newTerser().getValues(resource, resource.fhirType() + "." + element,
                Reference.class)) {
            IIdType id = reference.getReferenceElement();
            if ("Patient".equals(id.getResourceType()) && id.hasIdPart()) {
                named.add(id.toUnqualifiedVersionless().getValue());
            }
        }
        return named;
    }

    static String fileName(String type) {
        return type + ".ndjson";
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        }
    }
}
