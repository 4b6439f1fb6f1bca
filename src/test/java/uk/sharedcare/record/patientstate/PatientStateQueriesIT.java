package uk.sharedcare.record.patientstate;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.zaxxer.hikari.HikariDataSource;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import net.ttddyy.dsproxy.QueryCountHolder;
import net.ttddyy.dsproxy.support.ProxyDataSourceBuilder;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.consent.enforcement.PatientStateLoader;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;

/**
 * How many SQL statements a patient's state costs: one stamp query while this node's copy is current, and a
 * bounded number to load it when it is not. Counted on the calling thread at the DataSource.
 */
@PostgresFhirServerTest
@Import(PatientStateQueriesIT.CountedStatements.class)
// A context of its own: closed after the class, with a spill directory of its own, so that its audit spill
// replayer never races the shared context's over the same spilled events.
@TestPropertySource(properties = "shared-care.audit.spill-directory=${java.io.tmpdir}/scr-audit-spill-queries-it")
@DirtiesContext
class PatientStateQueriesIT {

    /**
     * The load (docs/decisions/0013): the ids from HAPI's indexes, their current versions, their tags; no
     * Organization read once this node knows the organisations' codes.
     */
    private static final long LOAD_AT_MOST = 3;

    /**
     * Counts beneath the pool, which stays the host's, so that the audit's own connections (a wrapper around the
     * pool, made by another post-processor in either order) are kept as in production.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class CountedStatements {
        @Bean
        static BeanPostProcessor countingDataSource() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String name) {
                    Object pool = bean instanceof DelegatingDataSource wrapper ? wrapper.getTargetDataSource() : bean;
                    if ("dataSource".equals(name) && pool instanceof HikariDataSource hikari
                            && hikari.getDataSource() == null) {
                        hikari.setDataSource(ProxyDataSourceBuilder.create(new DriverManagerDataSource(
                                hikari.getJdbcUrl(), hikari.getUsername(), hikari.getPassword())).countQuery().build());
                    }
                    return bean;
                }
            };
        }
    }

    @Autowired
    DaoRegistry daos;

    @Autowired
    PatientStateCache cache;

    @Autowired
    PatientStateLoader loader;

    @Test
    void currentStateCostsOneQueryAndAMissABoundedFew() {
        // Written as the server's own work, tagged as each organisation's write would be: no HTTP, no validator.
        Patient registered = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Counted");
        String patient = "Patient/" + write(registered, Callers.RIVERSIDE_PRACTICE).getIdPart();
        Reference subject = new Reference(patient);
        write(RecordFixtures.episodeOfCare(subject, Callers.BOROUGH_COUNCIL), Callers.BOROUGH_COUNCIL);
        Consent permit = RecordFixtures.sharingDissent(subject);
        permit.getProvision().setType(Consent.ConsentProvisionType.PERMIT);
        write(permit, Callers.RIVERSIDE_PRACTICE);
        write(new Condition().setCode(coded(BoroughScenario.SNOMED, "110359009")).setSubject(subject),
                Callers.RIVERSIDE_PRACTICE);
        write(new Observation().setStatus(Observation.ObservationStatus.FINAL)
                .setCode(coded("http://read.info/readv2", "9Nu0.")).setSubject(subject)
                .setEffective(new DateTimeType(new Date())), Callers.RIVERSIDE_PRACTICE);

        cache.current(List.of("Patient/not-recorded-" + UUID.randomUUID())); // this node reads the settings once
        long miss = statements(() -> cache.current(List.of(patient)));
        long hit = statements(() -> cache.current(List.of(patient)));
        long load = statements(() -> loader.load(patient));

        assertThat(hit).as("a current copy: the stamp query alone").isEqualTo(1);
        assertThat(load).as("loading the state, with the organisations' sharing settings and agreements as they"
                + " are now").isLessThanOrEqualTo(LOAD_AT_MOST + 2);
        assertThat(miss).as("a miss: the stamp query, then the state, whose settings and agreements this node keeps"
                + " per stamp").isEqualTo(load - 1);
        PatientState state = cache.current(List.of(patient)).get(patient);
        assertThat(state.consents()).hasSize(1);
        assertThat(state.episodeOrganisations()).containsExactly(Callers.BOROUGH_COUNCIL);
        assertThat(state.exemptCohorts()).contains("learning-disability");
        assertThat(state.gpDissent()).isPresent();
    }

    @Test
    void theExtractLoadsAChunksStatesInTheStatementsOfOnePatientsAndAsEachAlone() {
        List<String> chunk = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String patient = "Patient/" + write(RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Chunked"),
                    Callers.RIVERSIDE_PRACTICE).getIdPart();
            chunk.add(patient);
            Reference subject = new Reference(patient);
            write(RecordFixtures.episodeOfCare(subject, i % 2 == 0 ? Callers.BOROUGH_COUNCIL : Callers.BOROUGH_TRUST),
                    Callers.BOROUGH_COUNCIL);
            if (i == 3) {
                write(RecordFixtures.sharingDissent(subject), Callers.RIVERSIDE_PRACTICE);
            }
        }
        chunk.add("Patient/not-recorded-" + UUID.randomUUID());
        loader.load(chunk.get(0)); // the organisations' settings read once, as a running node has them

        long together = statements(() -> loader.loadAll(chunk));
        java.util.Map<String, PatientState> states = loader.loadAll(chunk);

        assertThat(together).as("five patients and an unknown one, in one patient's statements")
                .isLessThanOrEqualTo(LOAD_AT_MOST + 1);
        assertThat(states.keySet()).containsExactlyElementsOf(chunk);
        for (String patient : chunk) {
            assertThat(states.get(patient)).as(patient).isEqualTo(loader.load(patient));
        }
        assertThat(states.get(chunk.get(3)).consents()).as("the dissent is the fourth patient's alone").hasSize(1);
        assertThat(states.get(chunk.get(2)).consents()).isEmpty();
    }

    @Test
    void anOrganisationsCodeIsReadOnceUntilAnOrganisationChanges() {
        Organization practice = new Organization().setName("Counted Practice");
        practice.addIdentifier().setSystem(RecordFixtures.ODS_SYSTEM).setValue("Y99001");
        IIdType practiceId = write(practice, Callers.RIVERSIDE_PRACTICE).toUnqualifiedVersionless();
        Patient registered = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Referenced");
        registered.getGeneralPractitionerFirstRep().setReference(practiceId.getValue()).setIdentifier(null);
        String patient = "Patient/" + write(registered, Callers.RIVERSIDE_PRACTICE).getIdPart();

        long first = statements(() -> cache.current(List.of(patient)));
        write(RecordFixtures.sharingDissent(new Reference(patient)), Callers.RIVERSIDE_PRACTICE);
        long again = statements(() -> cache.current(List.of(patient)));

        assertThat(cache.current(List.of(patient)).get(patient).registeredPractice()).contains("Y99001");
        assertThat(again).as("a miss once the code is known").isLessThanOrEqualTo(LOAD_AT_MOST + 1);
        assertThat(first).as("the first miss reads the Organization").isGreaterThan(again);

        practice.setId(practiceId);
        practice.getIdentifierFirstRep().setValue("Y99002");
        daos.getResourceDao(Organization.class).update(practice, new SystemRequestDetails());

        assertThat(cache.current(List.of(patient)).get(patient).registeredPractice()).contains("Y99002");
    }

    private IIdType write(Resource resource, String custodian) {
        resource.getMeta().addTag(Custodian.TAG_SYSTEM, custodian, null);
        IFhirResourceDao<Resource> dao = daos.getResourceDao(resource.fhirType());
        return dao.create(resource, new SystemRequestDetails()).getId();
    }

    private static CodeableConcept coded(String system, String code) {
        return new CodeableConcept(new Coding(system, code, null));
    }

    private static long statements(Runnable work) {
        QueryCountHolder.clear();
        work.run();
        return QueryCountHolder.getGrandTotal().getTotal();
    }
}
