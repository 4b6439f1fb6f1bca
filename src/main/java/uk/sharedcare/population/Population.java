package uk.sharedcare.population;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A synthetic borough population, the same for the same seed and shape: its directory (organisations and
 * practitioners) and its patients, each patient generated from the seed and their index alone. Output is FHIR
 * R4 transaction bundles, each to be written by the organisation that records its resources.
 */
public final class Population {

    /** The seed the quick start and the benchmark use unless told otherwise. */
    public static final long DEFAULT_SEED = 20_261_130L;
    private static final int MAX_BUNDLE_ENTRIES = 500;

    private final BoroughShape shape;
    private final Borough borough;
    private final PatientGenerator generator;
    private final TransactionBundles bundles = new TransactionBundles(MAX_BUNDLE_ENTRIES);

    public Population(long seed, BoroughShape shape) {
        this.shape = shape;
        this.borough = new Borough(shape, seed);
        this.generator = new PatientGenerator(seed, shape, borough);
    }

    public BoroughShape shape() {
        return shape;
    }

    public Borough borough() {
        return borough;
    }

    /** The patient at {@code index} (0 to patients - 1). */
    public GeneratedPatient patient(int index) {
        if (index < 0 || index >= shape.patients()) {
            throw new IndexOutOfBoundsException("No patient " + index + " in a borough of " + shape.patients());
        }
        return generator.generate(index);
    }

    /** Patients {@code from} (inclusive) to {@code to} (exclusive). */
    public List<GeneratedPatient> patients(int from, int to) {
        return IntStream.range(from, to).mapToObj(this::patient).toList();
    }

    /** The organisations and practitioners, to be loaded before any patient. */
    public List<WriterBundle> directoryBundles() {
        return bundles.of(borough.directory());
    }

    /** Transaction bundles for patients {@code from} to {@code to}, in the order they must be written. */
    public List<WriterBundle> patientBundles(int from, int to) {
        List<Recorded> resources = new ArrayList<>();
        patients(from, to).forEach(patient -> resources.addAll(patient.resources()));
        return bundles.of(resources);
    }
}
