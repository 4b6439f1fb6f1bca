package uk.sharedcare.quickstart;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Patient;
import uk.sharedcare.record.access.AccessContext;

/**
 * The quick start's stand-in for the National Data Opt-out service's answer: written at start-up, dated that day,
 * listing the NHS numbers that may be used, which is every demo patient's but one in twenty, so the demo's
 * extracts show the rule at work. A deployment puts the national service's real answer there instead.
 */
final class DemoNationalOptOut {

    static final Path ANSWER = Path.of("data", "national-data-opt-out", "answer.csv");

    private DemoNationalOptOut() {}

    /** Writes the answer under the project directory; returns how many NHS numbers it allows. */
    static int write(Path project, DaoRegistry daos) {
        @SuppressWarnings("unchecked")
        IFhirResourceDao<Patient> patients = (IFhirResourceDao<Patient>) daos.getResourceDao("Patient");
        List<String> numbers = patients.search(SearchParameterMap.newSynchronous(), new SystemRequestDetails())
                .getAllResources().stream()
                .flatMap(patient -> ((Patient) patient).getIdentifier().stream())
                .filter(identifier -> AccessContext.NHS_NUMBER_SYSTEM.equals(identifier.getSystem()))
                .map(identifier -> identifier.getValue())
                .collect(Collectors.toCollection(TreeSet::new)).stream().toList();
        StringBuilder answer = new StringBuilder()
                .append("# checked: ").append(LocalDate.now(ZoneId.of("Europe/London"))).append('\n')
                .append("# source: the quick start's demo stand-in for the national service (not a real answer)\n")
                .append("# meaning: may-be-used\n");
        int allowed = 0;
        for (int i = 0; i < numbers.size(); i++) {
            if (i % 20 != 7) {
                answer.append(numbers.get(i)).append('\n');
                allowed++;
            }
        }
        try {
            Path file = project.resolve(ANSWER);
            Files.createDirectories(file.getParent());
            Files.writeString(file, answer);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the demo National Data Opt-out answer", e);
        }
        return allowed;
    }
}
