package uk.sharedcare.bench;

import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import uk.sharedcare.population.Population;
import uk.sharedcare.population.WriterBundle;

/**
 * Loads the synthetic population through the FHIR API of a plugin-on server: each transaction bundle posted with
 * the token of the organisation that records its resources, so custodians, labels and relationships are the
 * server's own. Slices of patients load on a few threads at once, spread over the plugin-on nodes; within a
 * slice the order of its bundles holds (patients before what refers to them). Each slice loaded is recorded in the
 * database, and a slice an earlier run loaded into a kept database is not loaded again: a run stopped part way
 * (a session's end) resumes. A slice stopped part way is loaded again whole, which stores nothing twice, as every
 * entry is a PUT by id of the same content.
 */
final class PopulationLoader {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private final LoopbackHttp http;
    private final ServerNodes nodes;
    private final Population population;
    private final BenchCallers callers;
    private final int threads;
    private final int slice;
    private final Database database;
    private final long seed;

    PopulationLoader(LoopbackHttp http, ServerNodes nodes, Population population, BenchCallers callers,
            BenchSettings settings, Database database) {
        this.http = http;
        this.nodes = nodes;
        this.population = population;
        this.callers = callers;
        this.threads = settings.loadThreads();
        this.slice = settings.loadSlice();
        this.database = database;
        this.seed = settings.seed();
    }

    /**
     * How long loading took: patients, resources written, milliseconds; {@code loadedEarlier} patients of the
     * range were already in the kept database, loaded by earlier runs, and are not counted in the time.
     */
    record LoadTiming(int fromPatient, int toPatient, long resources, long millis, int loadedEarlier) {

        double secondsPerThousandPatients() {
            int patients = toPatient - fromPatient - loadedEarlier;
            return patients == 0 ? 0 : millis / 1000.0 / (patients / 1000.0);
        }
    }

    /** The organisations and people of the directory, recorded as the slice from -1 to 0. */
    void loadDirectory() {
        if (!database.loadedSlices(seed).contains("-1-0")) {
            population.directoryBundles().forEach(bundle -> post(bundle, nodes.baseUrlFor(0)));
            database.recordLoaded(seed, -1, 0);
        }
    }

    /** Loads patients {@code from} (inclusive) to {@code to} (exclusive). */
    LoadTiming load(int from, int to) throws Exception {
        long start = System.nanoTime();
        AtomicLong resources = new AtomicLong();
        Set<String> loadedEarlier = database.loadedSlices(seed);
        int skipped = 0;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> slices = new ArrayList<>();
            for (int sliceStart = from, number = 0; sliceStart < to; sliceStart += slice, number++) {
                int first = sliceStart;
                int end = Math.min(to, sliceStart + slice);
                if (loadedEarlier.contains(first + "-" + end)) {
                    skipped += end - first;
                    continue;
                }
                String baseUrl = nodes.baseUrlFor(number);
                slices.add(pool.submit(() -> {
                    List<WriterBundle> bundles = population.patientBundles(first, end);
                    Map<String, Patient> patients = patientsIn(bundles);
                    for (WriterBundle bundle : bundles) {
                        startCareOfItsEpisodes(bundle, patients, baseUrl);
                        resources.addAndGet(post(bundle, baseUrl));
                    }
                    database.recordLoaded(seed, first, end);
                    Bench.log(String.format("Loaded patients %d to %d", first, end));
                }));
            }
            if (skipped > 0) {
                Bench.log(String.format("%,d patients of %,d to %,d already loaded by earlier runs", skipped,
                        from, to));
            }
            for (Future<?> slice : slices) {
                slice.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new LoadTiming(from, to, resources.get(), (System.nanoTime() - start) / 1_000_000, skipped);
    }

    private static Map<String, Patient> patientsIn(List<WriterBundle> bundles) {
        Map<String, Patient> patients = new HashMap<>();
        bundles.forEach(bundle -> bundle.bundle().getEntry().stream()
                .map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).map(Patient.class::cast)
                .forEach(patient -> patients.put("Patient/" + patient.getIdPart(), patient)));
        return patients;
    }

    /**
     * An organisation records an episode of care only for a patient it already cares for (rule 1), so before the
     * bundle that holds its episodes it starts care of each patient by NHS number and date of birth, as a trust
     * admitting or a council accepting a referral would. That leaves one more episode per patient in the record.
     */
    private void startCareOfItsEpisodes(WriterBundle bundle, Map<String, Patient> patients, String baseUrl) {
        for (Bundle.BundleEntryComponent entry : bundle.bundle().getEntry()) {
            if (entry.getResource() instanceof EpisodeOfCare episode) {
                Patient patient = patients.get(episode.getPatient().getReference());
                Parameters parameters = new Parameters();
                parameters.addParameter("nhsNumber", patient.getIdentifierFirstRep().getValue());
                parameters.addParameter("birthDate", patient.getBirthDateElement());
                LoopbackHttp.Answer answer = http.post(baseUrl + "/Patient/$start-care",
                        Optional.of(callers.systemClientOf(bundle.writer())),
                        FHIR.newJsonParser().encodeResourceToString(parameters));
                if (answer.status() != 200 && answer.status() != 201) {
                    throw new IllegalStateException("Starting care of " + episode.getPatient().getReference()
                            + " by " + bundle.writer() + " failed with " + answer.status() + ": " + answer.body());
                }
            }
        }
    }

    private int post(WriterBundle bundle, String baseUrl) {
        String json = FHIR.newJsonParser().encodeResourceToString(bundle.bundle());
        LoopbackHttp.Answer answer = http.post(baseUrl, Optional.of(callers.systemClientOf(bundle.writer())), json);
        if (answer.status() != 200) {
            throw new IllegalStateException("Loading a bundle written by " + bundle.writer() + " failed with "
                    + answer.status() + ": " + answer.body().substring(0, Math.min(2_000, answer.body().length())));
        }
        return bundle.bundle().getEntry().size();
    }
}
