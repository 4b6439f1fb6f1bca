package uk.sharedcare.population;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;

/**
 * The borough's directory: its GP practices (the demo's Riverside Y90001 and opt-in Northgate Y90002 first, then
 * Y90003 onwards), its hospital trust RZ9 and its council L9001, with one practitioner per practice and the
 * trust's and council's staff. Each organisation records its own Organization and practitioners.
 */
public final class Borough {

    public static final String TRUST = "RZ9";
    public static final String COUNCIL = "L9001";
    public static final String OPT_IN_PRACTICE = "Y90002";
    public static final String TRUST_CLINICIAN = "nurse-okafor";
    public static final String SOCIAL_WORKER = "sw-murphy";

    static final String ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code";
    private static final String[] PLACES = {"Riverside", "Northgate", "Eastfield", "Westbrook", "Southmead",
        "Hillcrest", "Parkside", "Meadowbank", "Church Lane", "Station Road", "Kingsway", "Elm Grove", "Mill House",
        "Bridge Street", "Castle View", "Oakwood", "Greenway", "Fairfield", "Harbour", "Abbey", "Brookside",
        "Highfield", "Market Square", "Orchard", "Victoria"};

    private final List<Practice> practices;

    /** One GP practice: its ODS code, name, GP and list size (a weight when patients are registered). */
    public record Practice(String ods, String name, String gp, int listWeight) {

        public String organisationId() {
            return organisationId(ods);
        }

        static String organisationId(String ods) {
            return "ods-" + ods;
        }
    }

    Borough(BoroughShape shape, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Practice> all = new ArrayList<>();
        for (int i = 0; i < shape.practices(); i++) {
            String ods = String.format("Y9%04d", i + 1);
            String place = i < PLACES.length ? PLACES[i] : "Practice " + (i + 1);
            String gp = i == 0 ? "dr-patel" : i == 1 ? "dr-jones" : "gp-" + ods.toLowerCase();
            all.add(new Practice(ods, place + (i % 3 == 0 ? " Medical Centre" : " Surgery"), gp,
                    3_000 + random.nextInt(9_000)));
        }
        this.practices = List.copyOf(all);
    }

    public List<Practice> practices() {
        return practices;
    }

    /** The practice at which a uniform draw in [0, 1) registers a patient, weighted by list size. */
    Practice practiceFor(double draw) {
        int total = practices.stream().mapToInt(Practice::listWeight).sum();
        double target = draw * total;
        for (Practice practice : practices) {
            target -= practice.listWeight();
            if (target < 0) {
                return practice;
            }
        }
        return practices.get(practices.size() - 1);
    }

    /** Organizations and Practitioners, each recorded by the organisation it describes or employs. */
    List<Recorded> directory() {
        List<Recorded> directory = new ArrayList<>();
        for (Practice practice : practices) {
            directory.add(new Recorded(practice.ods(), organisation(practice.ods(), practice.name(), "prov",
                    practice.ods().equals(OPT_IN_PRACTICE) ? "GP practice; shares only with the patient's consent"
                            : "GP practice")));
            directory.add(new Recorded(practice.ods(), practitioner(practice.gp(), "Practice GP", practice.ods())));
        }
        directory.add(new Recorded(TRUST, organisation(TRUST, "Borough Hospitals NHS Trust", "prov",
                "Acute hospital trust")));
        directory.add(new Recorded(TRUST, practitioner(TRUST_CLINICIAN, "Okafor", TRUST)));
        directory.add(new Recorded(COUNCIL, organisation(COUNCIL, "Borough Council Adult Social Care", "govt",
                "Local authority adult social care")));
        directory.add(new Recorded(COUNCIL, practitioner(SOCIAL_WORKER, "Murphy", COUNCIL)));
        return directory;
    }

    static Reference organisationReference(String ods) {
        return new Reference("Organization/" + Practice.organisationId(ods));
    }

    private static Organization organisation(String ods, String name, String type, String description) {
        Organization organisation = new Organization();
        organisation.setId(Practice.organisationId(ods));
        organisation.addIdentifier().setSystem(ODS_SYSTEM).setValue(ods);
        organisation.setActive(true);
        organisation.setName(name);
        organisation.addType(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/organization-type", type, null)).setText(description));
        return organisation;
    }

    private static Practitioner practitioner(String id, String family, String ods) {
        Practitioner practitioner = new Practitioner();
        practitioner.setId(id);
        practitioner.setActive(true);
        practitioner.addName().setFamily(family).setText(family + " (" + ods + ")");
        return practitioner;
    }
}
