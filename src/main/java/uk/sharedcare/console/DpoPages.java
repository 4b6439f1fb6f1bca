package uk.sharedcare.console;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A data protection officer's pages: the break-glass review queue, the audit chain's verification, a search of
 * the audit trail and the explanation of who may see a patient's record and why. Patients and filters go in forms,
 * never in URLs.
 */
@Controller
@RequestMapping(ConsoleConfig.BASE + "/dpo")
class DpoPages extends ConsolePages {

    DpoPages(RecordApi api) {
        super(api);
    }

    record QueueEntry(String alert, String when, String practice, String organisation, String what) {}

    record AuditRow(String when, String who, String organisation, String purpose, String action, String outcome,
            String what) {}

    record Explained(String resource, String custodian, String effect, List<String> rules) {}

    @GetMapping
    String dpo(Authentication person, Model model) {
        model.addAttribute("user", user(person));
        IGenericClient record = record(person);
        ask(model, () -> record.operation().onServer().named("$break-glass-queue").withNoParameters(Parameters.class)
                .useHttpGet().execute()).ifPresent(queue -> model.addAttribute("queue",
                Views.named(queue, "awaitingReview").stream().map(entry -> new QueueEntry(Views.part(entry, "alert"),
                        Views.part(entry, "when").replace('T', ' '), Views.part(entry, "practice"),
                        Views.part(entry, "organisation"), Views.part(entry, "what"))).toList()));
        ask(model, () -> record.operation().onServer().named("$verify-audit-chain").withNoParameters(Parameters.class)
                .useHttpGet().execute()).ifPresent(chain -> model.addAttribute("chain",
                ("true".equals(Views.value(chain, "intact")) ? "Intact" : "BROKEN: " + Views.value(chain, "problem"))
                        + " (" + Views.value(chain, "eventsChecked") + " events checked)"));
        return "console/dpo";
    }

    @PostMapping("/review")
    String review(Authentication person, @RequestParam String alert, @RequestParam String note,
            RedirectAttributes next, Model model) {
        Parameters review = new Parameters();
        review.addParameter().setName("alert").setValue(new Reference(alert));
        review.addParameter().setName("note").setValue(new StringType(note));
        ask(model, () -> record(person).operation().onServer().named("$review-break-glass").withParameters(review)
                .execute()).ifPresent(done -> next.addFlashAttribute("done", "Reviewed: it has left the queue."));
        Optional.ofNullable(model.getAttribute("problem")).ifPresent(problem -> next.addFlashAttribute("problem", problem));
        return "redirect:" + ConsoleConfig.BASE + "/dpo";
    }

    @PostMapping("/audit")
    String audit(Authentication person, @RequestParam(defaultValue = "") String patient,
            @RequestParam(defaultValue = "") String from, @RequestParam(defaultValue = "") String outcome,
            Model model) {
        List<String> query = new ArrayList<>(List.of("_count=50", "_sort=-date"));
        if (!patient.isBlank()) {
            query.add("patient=" + encode(patient.startsWith("Patient/") ? patient : "Patient/" + patient));
        }
        if (!from.isBlank()) {
            query.add("date=ge" + encode(from));
        }
        if (!outcome.isBlank()) {
            query.add("outcome=" + encode(outcome));
        }
        ask(model, () -> record(person).search().byUrl("AuditEvent?" + String.join("&", query))
                .returnBundle(Bundle.class).execute()).ifPresent(found -> model.addAttribute("events",
                found.getEntry().stream().map(e -> (AuditEvent) e.getResource()).map(DpoPages::row).toList()));
        model.addAttribute("searched", true);
        return dpo(person, model);
    }

    @PostMapping("/explain")
    String explain(Authentication person, @RequestParam String patient, @RequestParam String organisation,
            @RequestParam String role, @RequestParam(defaultValue = "TREAT") String purpose, Model model) {
        String id = patient.startsWith("Patient/") ? patient : "Patient/" + patient;
        Parameters asking = new Parameters();
        asking.addParameter().setName("organisation").setValue(new StringType(organisation));
        asking.addParameter().setName("role").setValue(new StringType(role));
        asking.addParameter().setName("purpose").setValue(new StringType(purpose));
        ask(model, () -> record(person).operation().onInstance(id).named("$explain-access").withParameters(asking)
                .useHttpGet().execute()).ifPresent(explanation -> model.addAttribute("explained",
                Views.named(explanation, "decision").stream().map(d -> new Explained(Views.part(d, "resourceType")
                        + " (" + Views.part(d, "count") + ")", Views.part(d, "custodian"), Views.part(d, "effect"),
                        d.getPart().stream().filter(p -> "reason".equals(p.getName()))
                                .map(p -> Views.part(p, "rule") + ": " + Views.part(p, "text")
                                        + (Views.part(p, "evidence").isEmpty() ? ""
                                                : " (" + Views.part(p, "evidence") + ")")).toList()))
                        .toList()));
        return dpo(person, model);
    }

    private static AuditRow row(AuditEvent event) {
        AuditEvent.AuditEventAgentComponent requestor = event.getAgent().stream()
                .filter(AuditEvent.AuditEventAgentComponent::getRequestor).findFirst()
                .orElse(event.getAgentFirstRep());
        String organisation = event.getAgent().stream().filter(a -> "organisation".equals(a.getType().getText()))
                .map(a -> a.getWho().getIdentifier().getValue()).findFirst().orElse("");
        return new AuditRow(Views.when(event.getRecorded()), requestor.getWho().getIdentifier().getValue(),
                organisation, requestor.getPurposeOfUseFirstRep().getCodingFirstRep().getCode(),
                event.getSubtypeFirstRep().getCode(), event.getOutcome() == null ? "" : outcomeWords(event),
                event.getEntity().stream().filter(e -> e.hasWhat() && e.getWhat().hasReference())
                        .map(e -> e.getWhat().getReference()).findFirst().orElse(""));
    }

    private static String outcomeWords(AuditEvent event) {
        return switch (event.getOutcome()) {
            case _0 -> "allowed";
            case _4 -> "refused";
            default -> "failed";
        };
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
