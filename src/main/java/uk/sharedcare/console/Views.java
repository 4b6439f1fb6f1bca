package uk.sharedcare.console;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Communication;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Type;
import uk.sharedcare.record.access.AccessContext;

/** What the pages show, read out of the record's answers into plain values for the templates. */
final class Views {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMMM yyyy 'at' HH:mm")
            .withZone(ZoneId.of("Europe/London"));

    private Views() {}

    record Alert(String kind, String when, String text, String patient) {}

    record Digest(int newAccessors, int breakGlassAwaitingReview, int patientChoices) {}

    record Sharing(String model, List<String> shareOnlyWith, String source) {

        public String modelInWords() {
            return "opt-in".equals(model) ? "only with each patient's consent (opt-in)"
                    : "unless the patient opts out (share by default)";
        }

        public String withWhom() {
            return shareOnlyWith.isEmpty() ? "with every organisation in the scheme"
                    : "only with " + String.join(", ", shareOnlyWith);
        }
    }

    /** An organisation's sharing agreement with the scheme (rule 11), as {@code $sharing-agreement} gives it. */
    record Agreement(boolean takesPart, String start, String end, String source) {

        public String inWords() {
            if (start.isEmpty()) {
                return takesPart ? "No agreement is on record; the scheme requires none, so your organisation takes"
                        + " part." : "No agreement is on record, and the scheme requires one: your organisation's data"
                        + " is not shared and it sees nothing of others'.";
            }
            String period = "from " + start + (end.isEmpty() ? ", with no end" : " to " + end);
            return takesPart ? "In force " + period + "."
                    : "Not in force today (" + period + "): your organisation's data is not shared and it sees"
                            + " nothing of others'.";
        }
    }

    static Agreement agreement(Parameters answer) {
        return new Agreement("true".equals(value(answer, "takesPart")), value(answer, "start"), value(answer, "end"),
                value(answer, "source"));
    }

    record PatientView(String name, String nhsNumber, String birthDate) {}

    record Accessor(String organisation, String role, String purpose, String count, String first, String last) {

        public String roleInWords() {
            return Views.roleInWords(role);
        }

        public String purposeInWords() {
            return Views.purposeInWords(purpose);
        }

        public String times() {
            return "1".equals(count) ? "once" : count + " times";
        }
    }

    record BreakGlass(String when, String organisation, String role, String user, String reason) {

        public String roleInWords() {
            return Views.roleInWords(role);
        }
    }

    static String roleInWords(String role) {
        return switch (role) {
            case "gp" -> "a GP";
            case "clinician" -> "a clinician (a doctor, nurse or therapist)";
            case "social-worker" -> "a social worker";
            case "system" -> "a computer system of the organisation";
            case "dpo" -> "a data protection officer";
            case "admin" -> "an administrator";
            case "patient" -> "you";
            default -> role;
        };
    }

    static String purposeInWords(String purpose) {
        return switch (purpose) {
            case "TREAT" -> "to care for you";
            case "ETREAT" -> "in an emergency";
            case "PATRQT" -> "because you asked";
            case "HOPERAT" -> "to run health services";
            default -> purpose;
        };
    }

    record Report(List<Accessor> accessors, List<BreakGlass> breakGlass, String refused, List<String> holders) {}

    record Choice(String when, String choice, String recordedBy, String status) {}

    static String when(Date date) {
        return date == null ? "" : WHEN.format(date.toInstant());
    }

    static List<Alert> alerts(Bundle bundle) {
        Map<String, Patient> patients = new LinkedHashMap<>();
        bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).map(Patient.class::cast)
                .forEach(p -> patients.put(p.getIdElement().toUnqualifiedVersionless().getValue(), p));
        List<Alert> alerts = new ArrayList<>();
        bundle.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Communication.class::isInstance).map(Communication.class::cast)
                .forEach(alert -> alerts.add(new Alert(alert.getCategoryFirstRep().getCodingFirstRep().getDisplay(),
                        when(alert.getSent()), alert.getPayloadFirstRep().getContentStringType().getValue(),
                        Optional.ofNullable(patients.get(alert.getSubject().getReference())).map(Views::name)
                                .orElse("a patient"))));
        return alerts;
    }

    static Digest digest(Parameters digest) {
        return new Digest(named(digest, "newAccessor").size(), named(digest, "breakGlassAwaitingReview").size(),
                named(digest, "patientChoice").size());
    }

    static Sharing sharing(Parameters settings) {
        return new Sharing(value(settings, "sharing"), named(settings, "shareOnlyWith").stream()
                .map(p -> p.getValue().primitiveValue()).toList(), value(settings, "source"));
    }

    /** The patient with this NHS number, if the record shows the caller one. */
    static Optional<Patient> patientWithNhsNumber(IGenericClient record, String nhsNumber) {
        return onlyPatient(record.search().byUrl("Patient?identifier=" + AccessContext.NHS_NUMBER_SYSTEM + "%7C"
                + nhsNumber).returnBundle(Bundle.class).execute());
    }

    static Optional<Patient> onlyPatient(Bundle found) {
        return found.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Patient.class::isInstance).map(Patient.class::cast).findFirst();
    }

    static PatientView patient(Patient patient) {
        return new PatientView(name(patient), nhsNumber(patient).orElse(""),
                patient.hasBirthDate() ? patient.getBirthDateElement().getValueAsString() : "");
    }

    static Optional<String> nhsNumber(Patient patient) {
        return patient.getIdentifier().stream().filter(i -> AccessContext.NHS_NUMBER_SYSTEM.equals(i.getSystem()))
                .map(i -> i.getValue()).findFirst();
    }

    private static String name(Patient patient) {
        return patient.hasName() ? patient.getNameFirstRep().getNameAsSingleString() : "a patient";
    }

    static Report report(Parameters report) {
        List<Accessor> accessors = named(report, "accessor").stream().map(a -> new Accessor(part(a, "organisation"),
                part(a, "role"), part(a, "purpose"), part(a, "count"), whenPart(a, "first"), whenPart(a, "last")))
                .toList();
        List<BreakGlass> breakGlass = named(report, "breakGlass").stream().map(b -> new BreakGlass(
                whenPart(b, "when"), part(b, "organisation"), part(b, "role"), part(b, "user"), part(b, "reason")))
                .toList();
        return new Report(accessors, breakGlass, value(report, "refused"), named(report, "holder").stream()
                .map(p -> p.getValue().primitiveValue()).toList());
    }

    static List<Choice> choices(Bundle consents) {
        return consents.getEntry().stream().map(Bundle.BundleEntryComponent::getResource)
                .filter(Consent.class::isInstance).map(Consent.class::cast)
                .map(c -> new Choice(when(c.getDateTime()),
                        c.getProvision().getType() == Consent.ConsentProvisionType.DENY ? "opted out of sharing"
                                : "chose to share",
                        c.getPerformer().stream().anyMatch(p -> p.getReference() != null
                                && p.getReference().equals(c.getPatient().getReference()))
                                ? "the patient" : "the practice",
                        c.getStatus() == null ? "" : c.getStatus().getDisplay()))
                .toList();
    }

    /**
     * A patient's sharing choice as the record's Consent profile has it: a privacy consent, opt-in (permit) or
     * opt-out (deny), given by the patient when they record it themselves.
     */
    static Consent sharingChoice(Patient patient, boolean share, Optional<Reference> givenBy) {
        Consent consent = new Consent();
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope",
                "patient-privacy", "Privacy Consent")));
        consent.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", "Patient Consent")));
        consent.setPatient(new Reference(patient.getIdElement().toUnqualifiedVersionless().getValue()));
        consent.setDateTime(new Date());
        consent.setPolicyRule(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode",
                share ? "OPTIN" : "OPTOUT", share ? "opt-in" : "opt-out")));
        givenBy.ifPresent(consent::addPerformer);
        consent.getProvision().setType(share ? Consent.ConsentProvisionType.PERMIT
                : Consent.ConsentProvisionType.DENY);
        return consent;
    }

    static List<ParametersParameterComponent> named(Parameters parameters, String name) {
        return parameters.getParameter().stream().filter(p -> name.equals(p.getName())).toList();
    }

    static String value(Parameters parameters, String name) {
        return named(parameters, name).stream().findFirst().map(p -> text(p.getValue())).orElse("");
    }

    static String part(ParametersParameterComponent parameter, String name) {
        return parameter.getPart().stream().filter(p -> name.equals(p.getName())).findFirst()
                .map(p -> text(p.getValue())).orElse("");
    }

    private static String whenPart(ParametersParameterComponent parameter, String name) {
        return parameter.getPart().stream().filter(p -> name.equals(p.getName())).findFirst()
                .map(p -> p.getValue() instanceof org.hl7.fhir.r4.model.BaseDateTimeType date ? when(date.getValue())
                        : text(p.getValue())).orElse("");
    }

    private static String text(Type value) {
        if (value instanceof Reference reference) {
            return reference.getReference();
        }
        return value == null ? "" : value.primitiveValue();
    }
}
