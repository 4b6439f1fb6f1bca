package uk.sharedcare.console;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.util.Arrays;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import uk.sharedcare.record.audit.AccessAlerts;

/**
 * A practice's pages (GPs): its alerts and today's digest, its own sharing settings and its sharing agreement with
 * the scheme, and any of its patients' access report and sharing choice, found by NHS number in a form (never in a
 * URL).
 */
@Controller
@RequestMapping(ConsoleConfig.BASE + "/practice")
class PracticePages extends ConsolePages {

    PracticePages(RecordApi api) {
        super(api);
    }

    @GetMapping
    String practice(Authentication person, Model model) {
        ConsoleUser user = user(person);
        String practice = user.organisation().orElse("");
        IGenericClient record = record(person);
        model.addAttribute("user", user);
        ask(model, () -> record.search().byUrl("Communication?_tag=" + AccessAlerts.ALERT_SYSTEM + "%7C"
                        + AccessAlerts.recipientTag(practice)
                        + "&_sort=-sent&_count=30&_include=Communication:subject").returnBundle(Bundle.class).execute())
                .ifPresent(alerts -> model.addAttribute("alerts", Views.alerts(alerts)));
        ask(model, () -> record.operation().onServer().named("$access-digest").withNoParameters(Parameters.class)
                        .useHttpGet().execute())
                .ifPresent(digest -> model.addAttribute("digest", Views.digest(digest)));
        ask(model, () -> record.operation().onServer().named("$sharing-settings")
                        .withParameter(Parameters.class, "organisation", new StringType(practice)).useHttpGet()
                        .execute())
                .ifPresent(settings -> model.addAttribute("sharing", Views.sharing(settings)));
        ask(model, () -> record.operation().onServer().named("$sharing-agreement")
                        .withParameter(Parameters.class, "organisation", new StringType(practice)).useHttpGet()
                        .execute())
                .ifPresent(agreement -> model.addAttribute("agreement", Views.agreement(agreement)));
        return "console/practice";
    }

    @PostMapping("/sharing")
    String changeSharing(Authentication person, @RequestParam String sharing,
            @RequestParam(defaultValue = "") String shareOnlyWith, RedirectAttributes next, Model model) {
        Parameters change = new Parameters();
        change.addParameter().setName("organisation").setValue(new StringType(user(person).organisation().orElse("")));
        change.addParameter().setName("sharing").setValue(new CodeType(sharing));
        Arrays.stream(shareOnlyWith.split("[,\\s]+")).map(String::trim).filter(code -> !code.isEmpty())
                .forEach(code -> change.addParameter().setName("shareOnlyWith").setValue(new StringType(code)));
        ask(model, () -> record(person).operation().onServer().named("$set-sharing-settings").withParameters(change)
                .execute()).ifPresent(done -> next.addFlashAttribute("done", "Your practice's sharing is changed."));
        Optional.ofNullable(model.getAttribute("problem")).ifPresent(problem -> next.addFlashAttribute("problem", problem));
        return "redirect:" + ConsoleConfig.BASE + "/practice";
    }

    @PostMapping("/patient")
    String patient(Authentication person, @RequestParam String nhsNumber, Model model) {
        model.addAttribute("user", user(person));
        model.addAttribute("nhsNumber", nhsNumber.replaceAll("\\s", ""));
        IGenericClient record = record(person);
        Optional<Patient> found = ask(model, () -> Views.patientWithNhsNumber(record,
                nhsNumber.replaceAll("\\s", ""))).flatMap(patient -> patient);
        if (found.isEmpty()) {
            model.addAttribute("notFound", true);
            return "console/practice-patient";
        }
        Patient patient = found.get();
        model.addAttribute("patient", Views.patient(patient));
        String id = patient.getIdElement().toUnqualifiedVersionless().getValue();
        ask(model, () -> record.operation().onInstance(id).named("$access-report").withNoParameters(Parameters.class)
                .useHttpGet().execute()).ifPresent(report -> model.addAttribute("report", Views.report(report)));
        ask(model, () -> record.search().byUrl("Consent?patient=" + id + "&_sort=-date").returnBundle(Bundle.class)
                .execute()).ifPresent(consents -> model.addAttribute("choices", Views.choices(consents)));
        return "console/practice-patient";
    }

    @PostMapping("/patient/choice")
    String recordChoice(Authentication person, @RequestParam String nhsNumber, @RequestParam String choice,
            Model model) {
        IGenericClient record = record(person);
        Optional<Patient> found = ask(model, () -> Views.patientWithNhsNumber(record, nhsNumber))
                .flatMap(patient -> patient);
        found.ifPresent(patient -> {
            Consent consent = Views.sharingChoice(patient, "opt-in".equals(choice), Optional.empty());
            ask(model, () -> record.create().resource(consent).execute()).ifPresent(done ->
                    model.addAttribute("done", "opt-in".equals(choice) ? "The patient's opt-in is recorded."
                            : "The patient's opt-out is recorded."));
        });
        return patient(person, nhsNumber, model);
    }
}
