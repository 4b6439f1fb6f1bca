package uk.sharedcare.record.consent.enforcement;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.dao.tx.IHapiTransactionService;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenOrListParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.CareTeam;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Flag;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import uk.sharedcare.record.access.Custodian;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.consent.PatientState;
import uk.sharedcare.record.referral.Referrals;
import uk.sharedcare.support.BoroughScenario;
import uk.sharedcare.support.Callers;
import uk.sharedcare.support.PostgresFhirServerTest;
import uk.sharedcare.support.RecordFixtures;

/**
 * The patient-state load's one statement over HAPI's indexes finds exactly what the searches it replaced found
 * (one search per kind of policy input, as HAPI answers them), for a patient whose record has every kind of entry
 * the policy reads, entries it must not read, and another patient's entries that refer to this one.
 */
@PostgresFhirServerTest
class PolicyInputsQueryIT {

    private static final String READ_V2 = "http://read.info/readv2";

    @Autowired
    DaoRegistry daos;

    @Autowired
    DataSource dataSource;

    @Autowired
    SearchBuilderFactory<JpaPid> searchBuilders;

    @Autowired
    IHapiTransactionService transactions;

    @Autowired
    PartitionSettings partitions;

    @Autowired
    PolicyFile.Loaded policyFile;

    @Autowired
    PatientStateLoader loader;

    private PolicyInputsQuery query;
    private CodeLists codes;

    @BeforeEach
    void query() {
        codes = policyFile.codes();
        query = new PolicyInputsQuery(new JdbcTemplate(dataSource), searchBuilders, transactions, partitions, codes);
    }

    @Test
    void findsWhatTheSearchesFoundForARecordWithEveryKindOfEntry() {
        String patient = newPatient();
        String other = newPatient();
        Reference subject = new Reference(patient);
        write(RecordFixtures.sharingDissent(subject), Callers.RIVERSIDE_PRACTICE);
        Consent withdrawn = RecordFixtures.sharingDissent(subject);
        withdrawn.setStatus(Consent.ConsentState.INACTIVE);
        write(withdrawn, Callers.RIVERSIDE_PRACTICE);
        Consent deleted = RecordFixtures.sharingDissent(subject);
        delete(write(deleted, Callers.RIVERSIDE_PRACTICE));
        Consent othersWithThisPatientAsPerformer = RecordFixtures.sharingDissent(new Reference(other));
        othersWithThisPatientAsPerformer.addPerformer(subject);
        write(othersWithThisPatientAsPerformer, Callers.RIVERSIDE_PRACTICE);
        write(RecordFixtures.episodeOfCare(subject, Callers.BOROUGH_COUNCIL), Callers.BOROUGH_COUNCIL);
        write(RecordFixtures.episodeOfCare(subject, Callers.BOROUGH_TRUST)
                .setStatus(EpisodeOfCare.EpisodeOfCareStatus.FINISHED), Callers.BOROUGH_TRUST);
        write(careTeam(subject, CareTeam.CareTeamStatus.ACTIVE), Callers.BOROUGH_COUNCIL);
        write(careTeam(subject, CareTeam.CareTeamStatus.INACTIVE), Callers.BOROUGH_COUNCIL);
        write(condition(subject, "110359009"), Callers.RIVERSIDE_PRACTICE);
        write(condition(subject, "38341003"), Callers.RIVERSIDE_PRACTICE); // hypertension: no cohort
        write(condition(new Reference(other), "58214004"), Callers.RIVERSIDE_PRACTICE);
        write(observation(subject, READ_V2, "9Nu0.", Observation.ObservationStatus.FINAL), Callers.RIVERSIDE_PRACTICE);
        write(observation(subject, READ_V2, "9Nu1.", Observation.ObservationStatus.ENTEREDINERROR),
                Callers.RIVERSIDE_PRACTICE);
        write(observation(subject, BoroughScenario.SNOMED, "271649006", Observation.ObservationStatus.FINAL),
                Callers.BOROUGH_TRUST); // a blood pressure: not a dissent code
        write(referral(subject, ServiceRequest.ServiceRequestStatus.ACTIVE, true), Callers.RIVERSIDE_PRACTICE);
        write(referral(subject, ServiceRequest.ServiceRequestStatus.REVOKED, true), Callers.RIVERSIDE_PRACTICE);
        write(referral(subject, ServiceRequest.ServiceRequestStatus.ACTIVE, false), Callers.RIVERSIDE_PRACTICE);
        write(referral(new Reference(other), ServiceRequest.ServiceRequestStatus.ACTIVE, true),
                Callers.RIVERSIDE_PRACTICE);
        write(observation(subject, "http://read.info/ctv3", "9Nu0.", Observation.ObservationStatus.FINAL),
                Callers.RIVERSIDE_PRACTICE); // the right code in another system
        Observation othersWithThisPatientAsPerformer2 = observation(new Reference(other), READ_V2, "9Nu0.",
                Observation.ObservationStatus.FINAL);
        othersWithThisPatientAsPerformer2.addPerformer(subject);
        write(othersWithThisPatientAsPerformer2, Callers.RIVERSIDE_PRACTICE);
        write(flag(subject, Flag.FlagStatus.ACTIVE, "9Nu4."), Callers.RIVERSIDE_PRACTICE);
        write(flag(subject, Flag.FlagStatus.INACTIVE, "9Nu0."), Callers.RIVERSIDE_PRACTICE);

        PolicyInputs indexed = query.fetch(patient);
        PolicyInputs searched = searched(patient);

        assertThat(indexed.patient().map(p -> p.getIdElement().getIdPart()))
                .isEqualTo(searched.patient().map(p -> p.getIdElement().getIdPart()));
        assertThat(ids(indexed.consents())).isEqualTo(ids(searched.consents())).hasSize(1);
        assertThat(ids(indexed.episodes())).isEqualTo(ids(searched.episodes())).hasSize(1);
        assertThat(ids(indexed.careTeams())).isEqualTo(ids(searched.careTeams())).hasSize(1);
        assertThat(ids(indexed.flags())).isEqualTo(ids(searched.flags())).hasSize(1);
        assertThat(ids(indexed.cohortConditions())).isEqualTo(ids(searched.cohortConditions())).hasSize(1);
        assertThat(ids(indexed.dissentObservations())).isEqualTo(ids(searched.dissentObservations())).hasSize(2);
        assertThat(ids(indexed.referrals())).isEqualTo(ids(searched.referrals())).hasSize(1);
        PatientState state = loader.load(patient);
        assertThat(state.exemptCohorts()).containsExactly("learning-disability");
        assertThat(state.episodeOrganisations()).containsExactly(Callers.BOROUGH_COUNCIL);
        assertThat(state.consents()).hasSize(1);
        assertThat(state.gpDissent()).isPresent();
        assertThat(state.referredTo()).containsExactly(Callers.BOROUGH_COUNCIL);
    }

    @Test
    void aDeletedPatientHasNoInputs() {
        String patient = newPatient();
        delete(new IdType(patient));

        assertThat(query.fetch(patient)).isEqualTo(PolicyInputs.NONE);
        assertThat(query.fetch("Patient/no-such-patient")).isEqualTo(PolicyInputs.NONE);
        assertThat(searched(patient).patient()).isEmpty();
    }

    @Test
    void anEntryRecodedOutOfTheListIsNoLongerFound() {
        String patient = newPatient();
        Observation dissent = observation(new Reference(patient), READ_V2, "9Nu0.", Observation.ObservationStatus.FINAL);
        IIdType id = write(dissent, Callers.RIVERSIDE_PRACTICE);
        assertThat(query.fetch(patient).dissentObservations()).hasSize(1);

        dissent.setId(id.toUnqualifiedVersionless());
        dissent.setCode(new CodeableConcept(new Coding(BoroughScenario.SNOMED, "271649006", null)));
        daos.getResourceDao(Observation.class).update(dissent, new SystemRequestDetails());

        assertThat(query.fetch(patient).dissentObservations()).isEmpty();
        assertThat(searched(patient).dissentObservations()).isEmpty();
    }

    /** The searches the load made before it read HAPI's indexes itself. */
    private PolicyInputs searched(String patientId) {
        List<Patient> patient = search(Patient.class, SearchParameterMap.newSynchronous("_id",
                new TokenParam(new IdType(patientId).getIdPart())));
        return new PolicyInputs(
                patient.stream().findFirst(),
                search(Consent.class, forPatient(patientId).add("status", new TokenParam("active"))),
                search(EpisodeOfCare.class, forPatient(patientId).add("status", new TokenParam("active"))),
                search(CareTeam.class, forPatient(patientId).add("status", new TokenParam("active"))),
                search(Flag.class, forPatient(patientId)).stream()
                        .filter(f -> f.getStatus() == Flag.FlagStatus.ACTIVE).toList(),
                search(Condition.class, forPatient(patientId).add("code", anyOf(codes.allCohortCodes()))),
                search(Observation.class, forPatient(patientId).add("code", anyOf(codes.allDissentCodes()))),
                search(ServiceRequest.class, forPatient(patientId).add("status", new TokenParam("active"))
                        .add("category", new TokenParam(Referrals.CATEGORY_SYSTEM, Referrals.CATEGORY_CODE))));
    }

    private static SearchParameterMap forPatient(String patientId) {
        return SearchParameterMap.newSynchronous("patient", new ReferenceParam(patientId));
    }

    private static TokenOrListParam anyOf(Collection<Code> wanted) {
        TokenOrListParam any = new TokenOrListParam();
        wanted.forEach(c -> any.addOr(new TokenParam(c.system(), c.code())));
        return any;
    }

    private <T extends IBaseResource> List<T> search(Class<T> type, SearchParameterMap query) {
        return daos.getResourceDao(type).search(query, new SystemRequestDetails()).getAllResources().stream()
                .map(type::cast).toList();
    }

    private static Set<String> ids(List<? extends Resource> resources) {
        return resources.stream().map(r -> r.getIdElement().toUnqualifiedVersionless().getValue())
                .collect(Collectors.toSet());
    }

    private String newPatient() {
        Patient patient = RecordFixtures.patient(RecordFixtures.uniqueNhsNumber(), "Indexed");
        return "Patient/" + write(patient, Callers.RIVERSIDE_PRACTICE).getIdPart();
    }

    private IIdType write(Resource resource, String custodian) {
        resource.getMeta().addTag(Custodian.TAG_SYSTEM, custodian, null);
        return daos.getResourceDao(resource.fhirType()).create(resource, new SystemRequestDetails()).getId()
                .toUnqualifiedVersionless();
    }

    private void delete(IIdType id) {
        daos.getResourceDao(id.getResourceType()).delete(id.toUnqualifiedVersionless(), new SystemRequestDetails());
    }

    private CareTeam careTeam(Reference subject, CareTeam.CareTeamStatus status) {
        IIdType member = write(new Practitioner().addName(new HumanName().setFamily("Worker")), Callers.BOROUGH_COUNCIL);
        CareTeam team = new CareTeam().setStatus(status).setSubject(subject);
        team.addParticipant().setMember(new Reference(member));
        return team;
    }

    private static Condition condition(Reference subject, String snomedCode) {
        return new Condition().setCode(new CodeableConcept(new Coding(BoroughScenario.SNOMED, snomedCode, null)))
                .setSubject(subject);
    }

    private static Observation observation(Reference subject, String system, String code,
            Observation.ObservationStatus status) {
        return new Observation().setStatus(status).setCode(new CodeableConcept(new Coding(system, code, null)))
                .setSubject(subject).setEffective(new DateTimeType(new Date()));
    }

    /** A referral to the council as the server records it (with its parties), or another kind of request. */
    private static ServiceRequest referral(Reference subject, ServiceRequest.ServiceRequestStatus status,
            boolean isReferral) {
        ServiceRequest request = new ServiceRequest().setStatus(status).setSubject(subject)
                .setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        request.addCategory(new CodeableConcept(isReferral
                ? new Coding(Referrals.CATEGORY_SYSTEM, Referrals.CATEGORY_CODE, null)
                : new Coding(BoroughScenario.SNOMED, "108252007", null))); // a laboratory procedure
        Referrals.recordParties(request, Set.of(Callers.RIVERSIDE_PRACTICE, Callers.BOROUGH_COUNCIL));
        return request;
    }

    private static Flag flag(Reference subject, Flag.FlagStatus status, String readCode) {
        Flag flag = new Flag().setStatus(status).setSubject(subject)
                .setCode(new CodeableConcept(new Coding(READ_V2, readCode, null)));
        flag.setPeriod(new Period().setStart(new Date()));
        return flag;
    }
}
