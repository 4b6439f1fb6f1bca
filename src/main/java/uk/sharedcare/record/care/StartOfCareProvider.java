package uk.sharedcare.record.care;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.param.TokenParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.EpisodeOfCare;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.access.Role;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.WritePolicy;
import uk.sharedcare.record.consent.enforcement.Refusals;
import uk.sharedcare.record.consent.enforcement.StartOfCareChecks;
import uk.sharedcare.record.settings.SharingAgreementStore;

/**
 * {@code POST [base]/Patient/$start-care} with {@code nhsNumber}, {@code birthDate} and an optional
 * {@code episodeType} ({@code health} or {@code social-care}): an organisation beginning care (an admission, a
 * referral accepted) records its own active EpisodeOfCare for the patient both identify, and so gains the
 * relationship of rule 1. The episode is written through HAPI with the caller's own request, so it is attributed,
 * validated, audited and alerted to the patient's practice like any other first access. A patient the two do not
 * both match answers exactly as one the record does not know.
 */
public final class StartOfCareProvider {

    static final String EPISODE_TYPE_SYSTEM = "https://sharedcarerecord.uk/fhir/CodeSystem/episode-type";
    static final String NO_SUCH_PATIENT = "No patient known to the record has this NHS number and date of birth";
    private static final List<String> EPISODE_TYPES = List.of("health", "social-care");

    private final WritePolicy policy;
    private final SharingAgreementStore agreements;
    private final DaoRegistry daos;

    public StartOfCareProvider(WritePolicy policy, SharingAgreementStore agreements, DaoRegistry daos) {
        this.policy = policy;
        this.agreements = agreements;
        this.daos = daos;
    }

    @Operation(name = "$start-care", typeName = "Patient")
    @Description(shortDefinition = "Starts an organisation's care of a patient, identified by NHS number and date of"
            + " birth, by recording its episode of care")
    public EpisodeOfCare startCare(@OperationParam(name = "nhsNumber", min = 1, max = 1) StringType nhsNumber,
            @OperationParam(name = "birthDate", min = 1, max = 1) DateType birthDate,
            @OperationParam(name = "episodeType", max = 1) CodeType episodeType, RequestDetails request) {
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideStartOfCare(who, agreements.current());
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        String type = type(episodeType, who);
        Patient patient = matching(required(nhsNumber, "nhsNumber"), day(birthDate));
        String patientId = "Patient/" + patient.getIdElement().getIdPart();
        StartOfCareChecks.checked(request, patientId);
        return (EpisodeOfCare) episodes().create(episode(who, patientId, type), request).getResource();
    }

    /** The one current Patient with this NHS number born on this day; any other answer is the same not-found. */
    private Patient matching(String nhsNumber, String birthDate) {
        SearchParameterMap query = SearchParameterMap.newSynchronous()
                .add(Patient.SP_IDENTIFIER, new TokenParam(AccessContext.NHS_NUMBER_SYSTEM, nhsNumber));
        List<Patient> found = daos.getResourceDao(Patient.class).search(query, new SystemRequestDetails())
                .getAllResources().stream().map(Patient.class::cast)
                .filter(candidate -> candidate.hasBirthDate()
                        && birthDate.equals(candidate.getBirthDateElement().getValueAsString()))
                .toList();
        if (found.size() != 1) {
            OperationOutcome outcome = new OperationOutcome();
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.NOTFOUND).setDiagnostics(NO_SUCH_PATIENT);
            throw new ResourceNotFoundException(NO_SUCH_PATIENT, outcome);
        }
        return found.get(0);
    }

    private static EpisodeOfCare episode(AccessContext who, String patientId, String type) {
        EpisodeOfCare episode = new EpisodeOfCare();
        episode.setStatus(EpisodeOfCare.EpisodeOfCareStatus.ACTIVE);
        episode.addType(new CodeableConcept(new Coding(EPISODE_TYPE_SYSTEM, type, null)));
        episode.setPatient(new Reference(patientId));
        episode.setManagingOrganization(new Reference().setIdentifier(
                new Identifier().setSystem(AccessContext.ODS_SYSTEM).setValue(who.organisation())));
        episode.getPeriod().setStart(Date.from(who.at()));
        return episode;
    }

    /** The episode's type: as asked, else social care for a social worker and health for anyone else. */
    private static String type(CodeType asked, AccessContext who) {
        if (asked == null || asked.getValue() == null) {
            return who.hasRole(Role.SOCIAL_WORKER) ? "social-care" : "health";
        }
        if (!EPISODE_TYPES.contains(asked.getValue())) {
            throw new InvalidRequestException("episodeType must be one of " + EPISODE_TYPES);
        }
        return asked.getValue();
    }

    private static String required(StringType given, String name) {
        if (given == null || given.getValue() == null || given.getValue().isBlank()) {
            throw new InvalidRequestException(name + " is required");
        }
        return given.getValue().replace(" ", "");
    }

    private static String day(DateType given) {
        if (given == null || given.getValueAsString() == null || given.getPrecision() != TemporalPrecisionEnum.DAY) {
            throw new InvalidRequestException("birthDate must be a whole date (YYYY-MM-DD)");
        }
        return given.getValueAsString();
    }

    @SuppressWarnings("unchecked")
    private IFhirResourceDao<EpisodeOfCare> episodes() {
        return daos.getResourceDao(EpisodeOfCare.class);
    }
}
