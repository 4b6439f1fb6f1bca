package uk.sharedcare.record.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.IModelJson;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.param.HistorySearchDateRangeParam;
import ca.uhn.fhir.rest.param.ReferenceOrListParam;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.commons.codec.digest.DigestUtils;
import org.hl7.fhir.instance.model.api.IAnyResource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Group;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.StoredResources;
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
    private final JdbcTemplate jdbc;
    private final PatientStateLoader patients;
    private final SecondaryUsePolicy policy;
    private final FhirContext fhir;

    ExtractRunner(DaoRegistry daos, JdbcTemplate jdbc, PatientStateLoader patients, SecondaryUsePolicy policy,
            FhirContext fhir) {
        this.daos = daos;
        this.jdbc = jdbc;
        this.patients = patients;
        this.policy = policy;
        this.fhir = fhir;
    }

    /** For the test that shows the files do not depend on how the patients are chunked. */
    void chunkSize(int patients) {
        this.chunkSize = patients;
    }

    int chunkSize() {
        return chunkSize;
    }

    /** What every chunk of one run shares: the request, its cut-off, the recipient's pseudonyms, the opt-out. */
    record RunContext(ExtractRequest request, Instant cutOff, Pseudonyms pseudonyms, NationalOptOut nationalOptOut) {}

    /** One chunk of the population: its place in the run's order and its patients' ids, in that order. */
    record Chunk(@JsonProperty("index") int index, @JsonProperty("patientIds") List<String> patientIds)
            implements IModelJson {

        @JsonCreator
        Chunk {
            patientIds = List.copyOf(patientIds);
        }
    }

    interface ChunkConsumer {
        void accept(Chunk chunk) throws IOException;
    }

    /**
     * The whole run on this node: the population's chunks one after another, then the files assembled. A run
     * spread over nodes takes the same three steps as a batch2 job ({@link ExtractJobDefinition}).
     */
    ExtractResult run(ExtractRequest request, Pseudonyms pseudonyms, NationalOptOut nationalOptOut, Path directory,
            Instant now, Progress progress) throws IOException {
        RunContext context = new RunContext(request, request.cutOff(now), pseudonyms, nationalOptOut);
        List<ChunkCounts> outcomes = new ArrayList<>();
        long[] done = {0};
        split(request, chunkSize, chunk -> {
            outcomes.add(extractChunk(context, chunk, directory));
            done[0] += chunk.patientIds().size();
            checkIn(progress, done[0]);
        });
        ExtractResult result = assemble(context, outcomes, directory);
        deleteParts(directory);
        return result;
    }

    /**
     * The population in a fixed order, cut into chunks of {@code size} patients: every Patient by id, or a
     * Group's active members in the Group's order. The same data gives the same chunks.
     */
    void split(ExtractRequest request, int size, ChunkConsumer consumer) throws IOException {
        int[] index = {0};
        if (request.group().isPresent()) {
            List<String> members = members(request.group().get());
            for (int from = 0; from < members.size(); from += size) {
                consumer.accept(new Chunk(index[0]++, members.subList(from, Math.min(from + size, members.size()))));
            }
        } else {
            forEachIdPage("Patient", size, ids -> consumer.accept(new Chunk(index[0]++, ids)));
        }
    }

    /**
     * One chunk: its patients and their resources loaded together, decided, de-identified and written as this
     * chunk's part of each type's file. Run again, it writes the same parts over the old ones.
     */
    ChunkCounts extractChunk(RunContext context, Chunk chunk, Path directory) throws IOException {
        Path parts = directory.resolve(PARTS);
        Files.createDirectories(parts);
        try (Run run = new Run(context, parts, chunk.index(), context.request().group().map(this::members))) {
            run.patients(current("Patient", chunk.patientIds()));
            return run.finish();
        }
    }

    /**
     * The run's files from its chunks' parts, concatenated in chunk order (so they do not depend on the chunk
     * size or on which node did which chunk), the directory data added, and every count summed. The parts stay
     * until the run is recorded as complete ({@link #deleteParts}), so a reducer started again finds them.
     */
    ExtractResult assemble(RunContext context, List<ChunkCounts> outcomes, Path directory) throws IOException {
        Files.createDirectories(directory);
        List<ChunkCounts> inOrder = outcomes.stream().sorted(Comparator.comparingInt(ChunkCounts::index)).toList();
        Map<String, Long> written = new HashMap<>();
        Map<String, Long> patientsExcluded = new TreeMap<>();
        Map<String, Long> resourcesExcluded = new TreeMap<>();
        long included = 0;
        for (ChunkCounts outcome : inOrder) {
            outcome.written().forEach((type, count) -> written.merge(type, count, Long::sum));
            outcome.patientsExcluded().forEach((rule, count) -> patientsExcluded.merge(rule, count, Long::sum));
            outcome.resourcesExcluded().forEach((rule, count) -> resourcesExcluded.merge(rule, count, Long::sum));
            included += outcome.patientsIncluded();
        }
        List<ExtractResult.OutputFile> files = new ArrayList<>();
        for (String type : ExtractRequest.EXTRACTED_TYPES) {
            long count = type.equals("Organization") && context.request().types().contains(type)
                    ? writeOrganisations(context, directory)
                    : written.getOrDefault(type, 0L) > 0 ? concatenate(type, inOrder, directory) : 0;
            if (count > 0) {
                files.add(new ExtractResult.OutputFile(type, fileName(type), count,
                        sha256(directory.resolve(fileName(type)))));
            } else {
                Files.deleteIfExists(directory.resolve(fileName(type)));
            }
        }
        return new ExtractResult(context.cutOff(), files, included, patientsExcluded, resourcesExcluded,
                context.nationalOptOut().applied());
    }

    private long concatenate(String type, List<ChunkCounts> inOrder, Path directory) throws IOException {
        long count = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(directory.resolve(fileName(type))))) {
            for (ChunkCounts outcome : inOrder) {
                if (outcome.written().getOrDefault(type, 0L) > 0) {
                    Files.copy(directory.resolve(PARTS).resolve(partName(type, outcome.index())), out);
                    count += outcome.written().get(type);
                }
            }
        }
        return count;
    }

    private long writeOrganisations(RunContext context, Path directory) throws IOException {
        Deidentifier deidentifier = deidentifier(context);
        IParser json = fhir.newJsonParser().setPrettyPrint(false);
        long[] count = {0};
        try (BufferedWriter writer = Files.newBufferedWriter(directory.resolve(fileName("Organization")),
                StandardCharsets.UTF_8)) {
            forEachIdPage("Organization", chunkSize, ids -> {
                for (Resource organisation : current("Organization", ids)) {
                    Optional<Resource> asAt = asAt(organisation, context.cutOff());
                    if (asAt.isPresent() && changedSince(context.request(), asAt.get())) {
                        writer.write(json.encodeResourceToString(deidentifier.apply(asAt.get())));
                        writer.write('\n');
                        count[0]++;
                    }
                }
            });
        }
        return count[0];
    }

    /** Removes what a run's chunks left: their parts, once assembled, or all of a run that stopped. */
    static void deleteParts(Path directory) throws IOException {
        Path parts = directory.resolve(PARTS);
        if (Files.isDirectory(parts)) {
            try (var files = Files.list(parts)) {
                for (Path part : files.toList()) {
                    Files.deleteIfExists(part);
                }
            }
            Files.deleteIfExists(parts);
        }
    }

    private Deidentifier deidentifier(RunContext context) {
        return new Deidentifier(fhir, context.pseudonyms(), policy.settings().birthDatePrecision());
    }

    private static boolean changedSince(ExtractRequest request, Resource resource) {
        return request.since().map(since -> !resource.getMeta().getLastUpdated().toInstant().isBefore(since))
                .orElse(true);
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

    private interface IdPageConsumer {
        void accept(List<String> ids) throws IOException;
    }

    /**
     * The ids of every current resource of a type in id order, a page at a time, read from HAPI's resource table
     * by keyset: memory and time per page stay the same however many there are, and no search result is stored
     * (a stored search stops at HAPI's search result limit, which a borough's patients pass).
     */
    private void forEachIdPage(String type, int size, IdPageConsumer consumer) throws IOException {
        String after = "";
        while (true) {
            List<String> ids = jdbc.queryForList("select FHIR_ID from HFJ_RESOURCE where RES_TYPE = ?"
                    + " and RES_DELETED_AT is null and FHIR_ID > ? order by FHIR_ID fetch first ? rows only",
                    String.class, type, after, size);
            if (ids.isEmpty()) {
                return;
            }
            consumer.accept(ids);
            after = ids.get(ids.size() - 1);
        }
    }

    /** The current resources of a type with these ids, in the order given; ids with none are left out. */
    private List<Resource> current(String type, List<String> ids) {
        TokenOrListParam wanted = new TokenOrListParam();
        ids.forEach(id -> wanted.addOr(new TokenParam(id)));
        SearchParameterMap query = SearchParameterMap.newSynchronous().add("_id", wanted);
        Map<String, Resource> found = new HashMap<>();
        dao(type).search(query, new SystemRequestDetails()).getAllResources()
                .forEach(resource -> found.put(resource.getIdElement().getIdPart(), (Resource) resource));
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

    /** One chunk's state: its open part files and its counts. */
    private final class Run implements AutoCloseable {

        private final ExtractRequest request;
        private final Instant cutOff;
        private final Path parts;
        private final int chunk;
        private final Deidentifier deidentifier;
        private final IParser json = fhir.newJsonParser().setPrettyPrint(false);
        private final Map<String, BufferedWriter> writers = new HashMap<>();
        private final String tryId = UUID.randomUUID().toString();
        private final Map<String, Long> written = new TreeMap<>();
        private final Map<String, Long> patientsExcluded = new TreeMap<>();
        private final Map<String, Long> resourcesExcluded = new TreeMap<>();
        /** Exclusions of patients met as second owners of a shared resource, looked up once each. */
        private final Map<String, Optional<Exclusion>> otherOwners = new HashMap<>();
        private final Optional<Set<String>> members;
        private final NationalOptOut nationalOptOut;
        private long patientsIncluded;

        Run(RunContext context, Path parts, int chunk, Optional<List<String>> members) {
            this.request = context.request();
            this.nationalOptOut = context.nationalOptOut();
            this.cutOff = context.cutOff();
            this.parts = parts;
            this.chunk = chunk;
            this.deidentifier = deidentifier(context);
            this.members = members.map(ids -> Set.copyOf(ids.stream().map(id -> "Patient/" + id).toList()));
        }

        /** One chunk of patients: each type's resources for all of them in one search, then patient by patient. */
        void patients(List<Resource> currentPatients) throws IOException {
            List<String> references = currentPatients.stream()
                    .map(patient -> "Patient/" + patient.getIdElement().getIdPart()).toList();
            Map<String, List<Resource>> records = compartments(references);
            Map<String, PatientState> states = patients.loadAll(references);
            for (Resource current : currentPatients) {
                String reference = "Patient/" + current.getIdElement().getIdPart();
                patient(current, states.get(reference), records.getOrDefault(reference, List.of()));
            }
        }

        private void patient(Resource current, PatientState state, List<Resource> record) throws IOException {
            Optional<Resource> patient = asAt(current, cutOff);
            if (patient.isEmpty()) {
                return;
            }
            String reference = "Patient/" + current.getIdElement().getIdPart();
            Optional<Exclusion> excluded = patientExclusion(state, patient.get());
            if (excluded.isPresent()) {
                String rule = excluded.get().category();
                patientsExcluded.merge(rule, 1L, Long::sum);
                resourcesExcluded.merge(rule, 1L + record.size(), Long::sum);
                return;
            }
            patientsIncluded++;
            if (request.types().contains("Patient") && changedSince(request, patient.get())) {
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
                } else if (changedSince(request, resource)) {
                    write(resource);
                }
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

        private Optional<Resource> current(String type, String id) {
            return StoredResources.read(daos, new IdType(type, id)).map(Resource.class::cast);
        }

        private void write(Resource resource) throws IOException {
            String type = resource.fhirType();
            BufferedWriter writer = writers.get(type);
            if (writer == null) {
                writer = Files.newBufferedWriter(writing(type), StandardCharsets.UTF_8);
                writers.put(type, writer);
            }
            writer.write(json.encodeResourceToString(deidentifier.apply(resource)));
            writer.write('\n');
            written.merge(type, 1L, Long::sum);
        }

        /**
         * The chunk's parts in place. Each was written under a name of this try's own and is moved over any part
         * an earlier try left, so two tries of one chunk (its node went quiet and another redid it) never
         * interleave their lines.
         */
        ChunkCounts finish() throws IOException {
            closeWriters();
            for (String type : ExtractRequest.EXTRACTED_TYPES) {
                Path part = parts.resolve(partName(type, chunk));
                if (written.containsKey(type)) {
                    Files.move(writing(type), part, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                } else {
                    Files.deleteIfExists(part); // a part left by an earlier try
                }
            }
            return new ChunkCounts(chunk, written, patientsIncluded, patientsExcluded, resourcesExcluded);
        }

        private Path writing(String type) {
            return parts.resolve(partName(type, chunk) + "." + tryId + ".writing");
        }

        /** Closes the part files; those of a try that did not finish are removed. */
        @Override
        public void close() throws IOException {
            closeWriters();
            for (String type : ExtractRequest.EXTRACTED_TYPES) {
                Files.deleteIfExists(writing(type));
            }
        }

        private void closeWriters() throws IOException {
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

    /** Where a chunk's part of a type's file is written until the run's files are assembled. */
    static final String PARTS = "parts";

    static String partName(String type, int chunk) {
        return String.format(Locale.ROOT, "%s.%08d.ndjson", type, chunk);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return DigestUtils.sha256Hex(in);
        }
    }
}
