package uk.sharedcare.console;

import ca.uhn.fhir.context.FhirContext;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import uk.sharedcare.record.access.IdentityProperties;
import uk.sharedcare.record.http.FhirServletMapping;

/**
 * The console at {@code /console}: people sign in with Keycloak (authorization code with PKCE, the realm's public
 * {@code shared-care-console} client), hold a session whose cookie is Secure, HttpOnly and SameSite, post forms
 * protected against CSRF, get pages under a Content-Security-Policy that allows nothing but the record's own CSS,
 * and sign out of Keycloak too. Decision 17.
 */
@Configuration(proxyBeanMethods = false)
@Import({HomePages.class, PracticePages.class, DpoPages.class, PatientPages.class})
@ConditionalOnProperty(prefix = "shared-care", name = {"enabled", "console.enabled"}, havingValue = "true",
        matchIfMissing = true)
public class ConsoleConfig {

    static final String REGISTRATION = "keycloak";
    static final String BASE = "/console";

    @Bean
    ClientRegistrationRepository consoleClientRegistrations(IdentityProperties identity,
            @Value("${shared-care.console.client-id:shared-care-console}") String clientId) {
        String issuer = identity.issuerUri().replaceAll("/$", "");
        ClientRegistration keycloak = ClientRegistration.withRegistrationId(REGISTRATION)
                .clientId(clientId)
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE) // public: PKCE, no secret
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}" + BASE + "/login/oauth2/code/{registrationId}")
                .scope("openid", "profile")
                .authorizationUri(identity.authorization().toString())
                .tokenUri(identity.token().toString())
                .jwkSetUri(identity.jwkSet().toString())
                .issuerUri(issuer)
                .userNameAttributeName(IdTokenClaimNames.SUB)
                .providerConfigurationMetadata(Map.of("end_session_endpoint",
                        issuer + "/protocol/openid-connect/logout"))
                .clientName("Shared Care Record")
                .build();
        return new InMemoryClientRegistrationRepository(keycloak);
    }

    @Bean
    OAuth2AuthorizedClientRepository consoleAuthorizedClients() {
        return new HttpSessionOAuth2AuthorizedClientRepository();
    }

    /** Refreshes a person's access token when it has expired, so a page never calls the record with a stale one. */
    @Bean
    OAuth2AuthorizedClientManager consoleAuthorizedClientManager(ClientRegistrationRepository registrations,
            OAuth2AuthorizedClientRepository authorized) {
        DefaultOAuth2AuthorizedClientManager manager = new DefaultOAuth2AuthorizedClientManager(registrations,
                authorized);
        manager.setAuthorizedClientProvider(OAuth2AuthorizedClientProviderBuilder.builder()
                .authorizationCode().refreshToken().build());
        return manager;
    }

    @Bean
    RecordApi consoleRecordApi(FhirContext fhir, Environment environment, FhirServletMapping fhirServlet,
            OAuth2AuthorizedClientManager clients) {
        return new RecordApi(fhir, () -> "http://127.0.0.1:" + environment.getProperty("local.server.port")
                + fhirServlet.basePath(), clients);
    }

    @Bean
    @Order(1)
    SecurityFilterChain consoleSecurity(HttpSecurity http, ClientRegistrationRepository registrations,
            OAuth2AuthorizedClientRepository authorized, IdentityProperties identity) throws Exception {
        OidcClientInitiatedLogoutSuccessHandler signedOut = new OidcClientInitiatedLogoutSuccessHandler(registrations);
        signedOut.setPostLogoutRedirectUri("{baseUrl}" + BASE + "/signed-out");
        String keycloak = identity.authorization().resolve("/").toString().replaceAll("/$", "");
        return http
                .securityMatcher(BASE, BASE + "/**")
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(BASE + "/css/**", BASE + "/signed-out").permitAll()
                        .requestMatchers(BASE + "/practice/**").hasRole("gp")
                        .requestMatchers(BASE + "/dpo/**").hasRole("dpo")
                        .requestMatchers(BASE + "/me/**").hasRole("patient")
                        .anyRequest().authenticated())
                .oauth2Login(login -> login
                        .loginPage(BASE + "/oauth2/authorization/" + REGISTRATION)
                        .authorizationEndpoint(endpoint -> endpoint.baseUri(BASE + "/oauth2/authorization"))
                        .redirectionEndpoint(endpoint -> endpoint.baseUri(BASE + "/login/oauth2/code/*"))
                        .userInfoEndpoint(userInfo -> userInfo.oidcUserService(new TokenRoles()))
                        .authorizedClientRepository(authorized)
                        .defaultSuccessUrl(BASE, true))
                .logout(logout -> logout.logoutUrl(BASE + "/sign-out").logoutSuccessHandler(signedOut))
                .exceptionHandling(errors -> errors.accessDeniedPage(BASE + "/not-allowed"))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; style-src 'self';"
                                + " img-src 'self'; form-action 'self' " + keycloak + "; frame-ancestors 'none';"
                                + " base-uri 'none'"))
                        .frameOptions(HeadersConfigurer.FrameOptionsConfig::deny)
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER)))
                .build();
    }
}
