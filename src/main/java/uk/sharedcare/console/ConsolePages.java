package uk.sharedcare.console;

import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.Optional;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.ui.Model;

/** What every console page shares: who is signed in, their client of the record, and the record's refusals. */
abstract class ConsolePages {

    private final RecordApi api;

    ConsolePages(RecordApi api) {
        this.api = api;
    }

    static ConsoleUser user(Authentication person) {
        return ConsoleUser.of((OidcUser) person.getPrincipal());
    }

    IGenericClient record(Authentication person) {
        return api.as(person, user(person));
    }

    /**
     * Runs one call to the record; a refusal or failure becomes the page's message, in the record's own words,
     * rather than an error page.
     */
    static <T> Optional<T> ask(Model model, Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (BaseServerResponseException refused) {
            model.addAttribute("problem", explain(refused));
            return Optional.empty();
        }
    }

    static String explain(BaseServerResponseException refused) {
        IBaseOperationOutcome outcome = refused.getOperationOutcome();
        if (outcome instanceof OperationOutcome issues && issues.hasIssue()
                && issues.getIssueFirstRep().hasDiagnostics()) {
            return "The record answered " + refused.getStatusCode() + ": "
                    + issues.getIssueFirstRep().getDiagnostics();
        }
        return "The record answered " + refused.getStatusCode() + ": " + refused.getMessage();
    }
}
