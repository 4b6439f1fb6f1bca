package uk.sharedcare.console;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.AdditionalRequestHeadersInterceptor;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.util.function.Supplier;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;

/**
 * The record's own FHIR API, as the signed-in person: every page is made from requests sent with their access
 * token (refreshed when it expires) and their purpose of use, so the policy decides and the audit trail records
 * what the console shows exactly as for any other client. There is no other way in.
 */
final class RecordApi {

    static final String PURPOSE_HEADER = "X-Purpose-Of-Use";

    private final FhirContext fhir;
    private final Supplier<String> baseUrl;
    private final OAuth2AuthorizedClientManager clients;

    RecordApi(FhirContext fhir, Supplier<String> baseUrl, OAuth2AuthorizedClientManager clients) {
        this.fhir = fhir;
        this.baseUrl = baseUrl;
        this.clients = clients;
        fhir.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
    }

    /** A client of the record for this person, with the purpose of use their role acts for. */
    IGenericClient as(Authentication person, ConsoleUser user) {
        OAuth2AuthorizedClient authorized = clients.authorize(OAuth2AuthorizeRequest
                .withClientRegistrationId(ConsoleConfig.REGISTRATION).principal(person).build());
        if (authorized == null) {
            throw new OAuth2AuthenticationException(new OAuth2Error("invalid_token"), "Please sign in again");
        }
        IGenericClient client = fhir.newRestfulGenericClient(baseUrl.get());
        client.registerInterceptor(new BearerTokenAuthInterceptor(authorized.getAccessToken().getTokenValue()));
        AdditionalRequestHeadersInterceptor purpose = new AdditionalRequestHeadersInterceptor();
        purpose.addHeaderValue(PURPOSE_HEADER, user.isPatient() ? "PATRQT" : "TREAT");
        client.registerInterceptor(purpose);
        return client;
    }
}
