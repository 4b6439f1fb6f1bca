package uk.sharedcare.console;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import uk.sharedcare.record.access.AccessContext;

/**
 * A patient's own pages: who has looked at their record, which organisations hold data about them, and their
 * choice about sharing in the local scheme, which they can change. The record is found by the NHS number in their
 * own token; a patient's pages take no patient from the request, so there is nothing to point at another's.
 */
@Controller
@RequestMapping(ConsoleConfig.BASE + "/me")
class PatientPages extends ConsolePages {

    PatientPages(RecordApi api) {
        super(api);
    }

    @GetMapping
    String me(Authentication person, Model model) {
        ConsoleUser user = user(person);
        model.addAttribute("user", user);
        IGenericClient record = record(person);
        Optional<Patient> own = ownRecord(record, user, model);
        if (own.isEmpty()) {
            model.addAttribute("notFound", true);
            return "console/me";
        }
        String id = own.get().getIdElement().toUnqualifiedVersionless().getValue();
        model.addAttribute("patient", Views.patient(own.get()));
        ask(model, () -> record.operation().onInstance(id).named("$access-report").withNoParameters(Parameters.class)
                .useHttpGet().execute()).ifPresent(report -> {
                    Views.Report read = Views.report(report);
                    model.addAttribute("report", read);
                    model.addAttribute("names", names(record, read, user));
                });
        ask(model, () -> record.search().byUrl("Consent?patient=" + id + "&_sort=-date").returnBundle(Bundle.class)
                .execute()).ifPresent(consents -> {
                    var choices = Views.choices(consents);
                    model.addAttribute("choices", choices);
                    model.addAttribute("optedOut", !choices.isEmpty()
                            && choices.get(0).choice().startsWith("opted out"));
                });
        return "console/me";
    }

    @PostMapping("/choice")
    String choose(Authentication person, @RequestParam String choice, RedirectAttributes next, Model model) {
        ConsoleUser user = user(person);
        IGenericClient record = record(person);
        ownRecord(record, user, model).ifPresent(patient -> {
            boolean share = "share".equals(choice);
            Consent consent = Views.sharingChoice(patient, share, Optional.of(new Reference(
                    patient.getIdElement().toUnqualifiedVersionless().getValue())));
            ask(model, () -> record.create().resource(consent).execute()).ifPresent(done ->
                    next.addFlashAttribute("done", share
                            ? "Your record will be shared in the local scheme again. Your GP practice has been told."
                            : "You have opted out of sharing in the local scheme. Your GP practice has been told."));
        });
        Optional.ofNullable(model.getAttribute("problem")).ifPresent(problem -> next.addFlashAttribute("problem", problem));
        return "redirect:" + ConsoleConfig.BASE + "/me";
    }

    private static Optional<Patient> ownRecord(IGenericClient record, ConsoleUser user, Model model) {
        return user.nhsNumber().flatMap(nhs -> ask(model, () -> Views.patientWithNhsNumber(record, nhs))
                .flatMap(patient -> patient));
    }

    /** Organisations by ODS code, named as the directory names them; "you" for the patient's own looks. */
    private static Map<String, String> names(IGenericClient record, Views.Report report, ConsoleUser user) {
        Map<String, String> names = new LinkedHashMap<>();
        user.nhsNumber().ifPresent(nhs -> names.put("patient:" + nhs, "You"));
        report.holders().forEach(code -> names.computeIfAbsent(code, c -> name(record, c)));
        report.accessors().forEach(a -> names.computeIfAbsent(a.organisation(), c -> name(record, c)));
        report.breakGlass().forEach(b -> names.computeIfAbsent(b.organisation(), c -> name(record, c)));
        return names;
    }

    private static String name(IGenericClient record, String odsCode) {
        try {
            return record.search().byUrl("Organization?identifier=" + AccessContext.ODS_SYSTEM + "%7C" + odsCode)
                    .returnBundle(Bundle.class).execute().getEntry().stream()
                    .map(e -> (Organization) e.getResource()).map(Organization::getName).findFirst()
                    .orElse(odsCode);
        } catch (RuntimeException unknown) {
            return odsCode;
        }
    }
}
