package uk.sharedcare.quickstart;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import uk.sharedcare.population.BoroughShape;
import uk.sharedcare.population.Population;
import uk.sharedcare.population.WriterBundle;

/**
 * A slice of the synthetic borough (package {@code population}) loaded beside the hand-written demo borough, so
 * the quick start has a few hundred patients with realistic choices, cohorts and care to search through. Loaded
 * as the server's own work, like {@link DemoData}, each resource keeping the custodian the generator gave it.
 * Organizations and practitioners the demo borough already has are left as the demo wrote them.
 */
public final class DemoPopulation {

    public static final int PATIENTS = 300;

    private DemoPopulation() {}

    /** Loads the first {@code patients} patients of the default borough; returns how many resources it wrote. */
    @SuppressWarnings("unchecked")
    public static int load(IFhirSystemDao<?, ?> systemDao, int patients) {
        var dao = (IFhirSystemDao<Bundle, ?>) systemDao;
        Set<String> demoIds = DemoData.bundle(systemDao.getContext()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue())
                .collect(Collectors.toSet());
        Population population = new Population(Population.DEFAULT_SEED, BoroughShape.borough());
        int written = 0;
        for (List<WriterBundle> bundles : List.of(population.directoryBundles(),
                population.patientBundles(0, patients))) {
            for (WriterBundle bundle : bundles) {
                Bundle transaction = withoutDemoResources(bundle.bundle(), demoIds);
                if (transaction.hasEntry()) {
                    dao.transaction(new SystemRequestDetails(), transaction);
                    written += transaction.getEntry().size();
                }
            }
        }
        return written;
    }

    private static Bundle withoutDemoResources(Bundle bundle, Set<String> demoIds) {
        bundle.getEntry().removeIf(entry -> demoIds.contains(idOf(entry.getResource())));
        return bundle;
    }

    private static String idOf(Resource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }
}
