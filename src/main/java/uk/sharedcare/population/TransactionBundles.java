package uk.sharedcare.population;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import uk.sharedcare.record.access.Custodian;

/**
 * Groups generated resources into FHIR transaction bundles, one writer per bundle. Patients go in bundles of
 * their own before anything that refers to them, because the server checks a Consent's writer against the
 * patient's registered practice as already stored. Entries are PUTs with the generated ids, so loading the same
 * slice twice changes nothing, and resources in different bundles can refer to one another. Each resource also
 * carries its custodian tag, which the server keeps for its own loads and replaces from the token otherwise.
 */
final class TransactionBundles {

    private final int maxEntries;

    TransactionBundles(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    List<WriterBundle> of(List<Recorded> resources) {
        List<WriterBundle> bundles = new ArrayList<>();
        bundles.addAll(byWriter(resources.stream().filter(r -> isPatient(r.resource())).toList()));
        bundles.addAll(byWriter(resources.stream().filter(r -> !isPatient(r.resource())).toList()));
        return bundles;
    }

    private List<WriterBundle> byWriter(List<Recorded> resources) {
        Map<String, List<Resource>> byWriter = new LinkedHashMap<>();
        for (Recorded recorded : resources) {
            byWriter.computeIfAbsent(recorded.custodian(), writer -> new ArrayList<>()).add(recorded.resource());
        }
        List<WriterBundle> bundles = new ArrayList<>();
        byWriter.forEach((writer, written) -> {
            for (int from = 0; from < written.size(); from += maxEntries) {
                List<Resource> part = written.subList(from, Math.min(written.size(), from + maxEntries));
                bundles.add(new WriterBundle(writer, transaction(writer, part)));
            }
        });
        return bundles;
    }

    private static Bundle transaction(String writer, List<Resource> resources) {
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.TRANSACTION);
        for (Resource resource : resources) {
            Resource copy = resource.copy();
            copy.getMeta().addTag(Custodian.TAG_SYSTEM, writer, "Written by " + writer);
            String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
            bundle.addEntry().setFullUrl(url).setResource(copy).getRequest()
                    .setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
        }
        return bundle;
    }

    private static boolean isPatient(Resource resource) {
        return "Patient".equals(resource.fhirType());
    }
}
