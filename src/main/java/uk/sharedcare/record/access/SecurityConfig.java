package uk.sharedcare.record.access;

import ca.uhn.fhir.context.FhirContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import uk.sharedcare.record.http.FhirServletMapping;
import uk.sharedcare.record.http.OperationOutcomeWriter;
import uk.sharedcare.record.ConditionalOnSharedCare;

/**
 * The server as an OAuth2 resource server: every request needs a valid bearer token from the configured issuer,
 * except the CapabilityStatement and SMART discovery, which tell clients where to get one, and CORS preflights
 * from the configured origins. No sessions, no cookies, so no CSRF. Each authenticated request then gets its
 * {@link AccessContext} or a 403.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnSharedCare
@EnableWebSecurity
@EnableConfigurationProperties({IdentityProperties.class, CorsProperties.class})
public class SecurityConfig {

    @Bean
    JwtDecoder sharedCareJwtDecoder(IdentityProperties identity) {
        return BearerTokenVerification.decoder(identity);
    }

    @Bean
    FilterRegistrationBean<SmartConfiguration> smartConfiguration(
            FhirServletMapping fhirServlet, IdentityProperties identity) {
        FilterRegistrationBean<SmartConfiguration> registration =
                new FilterRegistrationBean<>(new SmartConfiguration(fhirServlet.basePath(), identity));
        registration.setName("sharedCareSmartConfiguration");
        registration.setUrlPatterns(fhirServlet.urlPatterns());
        return registration;
    }

    /**
     * Answers hold patient data: no cache may keep them. Spring's default also sends {@code Expires: 0}, which
     * tells a Bulk Data client that the files of a manifest have already gone; the record keeps them, so no
     * {@code Expires} is sent at all.
     */
    private static void notStored(HttpServletRequest request, HttpServletResponse response) {
        if (!response.containsHeader(HttpHeaders.CACHE_CONTROL)) {
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, max-age=0, must-revalidate");
            response.setHeader(HttpHeaders.PRAGMA, "no-cache");
        }
    }

    @Bean
    SecurityFilterChain sharedCareSecurity(HttpSecurity http, JwtDecoder decoder, IdentityProperties identity,
            CorsProperties cors, FhirServletMapping fhir, FhirContext fhirContext, RefusalRecorder refusals)
            throws Exception {
        OperationOutcomeWriter outcomes = new OperationOutcomeWriter(fhirContext);
        OperationOutcomeAuthenticationFailures unauthenticated =
                new OperationOutcomeAuthenticationFailures(outcomes, refusals);
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return http
                // The FHIR API and the plugin's pages only: a host's own endpoints (health probes, its tester)
                // keep whatever security the host gives them.
                .securityMatcher(new OrRequestMatcher(paths.matcher(fhir.basePath()),
                        paths.matcher(fhir.basePath() + "/**")))
                .csrf(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .anonymous(AbstractHttpConfigurer::disable)
                .headers(headers -> headers.cacheControl(HeadersConfigurer.CacheControlConfig::disable)
                        .addHeaderWriter(SecurityConfig::notStored))
                .addFilter(CrossOriginRequests.filter(cors, fhir.basePath(), outcomes, refusals))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(
                                paths.matcher(HttpMethod.GET, fhir.basePath() + "/metadata"),
                                paths.matcher(HttpMethod.GET, fhir.basePath() + SmartConfiguration.PATH))
                        .permitAll()
                        .anyRequest().authenticated())
                .oauth2ResourceServer(resourceServer -> resourceServer
                        .jwt(jwt -> jwt.decoder(decoder))
                        .authenticationEntryPoint(unauthenticated))
                .exceptionHandling(e -> e.authenticationEntryPoint(unauthenticated))
                .addFilterAfter(new AccessContextFilter(identity.claims(), outcomes, Clock.systemUTC(), refusals),
                        AuthorizationFilter.class)
                .build();
    }
}
