package uk.sharedcare.record.access;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;
import uk.sharedcare.record.access.AccessContextResolver.Granted;
import uk.sharedcare.record.access.AccessContextResolver.Refused;
import uk.sharedcare.record.http.OperationOutcomeWriter;

/**
 * Turns an authenticated request into an {@link AccessContext}, or answers 403 with the reason. Runs in the
 * security filter chain after the bearer token has been verified, so every request HAPI serves has a context,
 * except the public discovery endpoints.
 */
final class AccessContextFilter extends OncePerRequestFilter {

    private final AccessContextResolver resolver = new AccessContextResolver();
    private final TokenClaimsReader claims;
    private final OperationOutcomeWriter outcomes;
    private final Clock clock;
    private final RefusalRecorder refusals;

    AccessContextFilter(IdentityProperties.Claims claimNames, OperationOutcomeWriter outcomes, Clock clock,
            RefusalRecorder refusals) {
        this.claims = new TokenClaimsReader(claimNames);
        this.outcomes = outcomes;
        this.clock = clock;
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (!(authentication instanceof JwtAuthenticationToken token)) {
            chain.doFilter(request, response);
            return;
        }
        var resolution = resolver.resolve(
                claims.read(token.getToken()),
                Optional.ofNullable(request.getHeader(AccessContextResolver.PURPOSE_HEADER)),
                Optional.ofNullable(request.getHeader(AccessContextResolver.BREAK_GLASS_REASON_HEADER)),
                clock.instant());
        if (resolution instanceof Granted granted) {
            AccessContexts.attach(request, granted.context());
            chain.doFilter(request, response);
        } else {
            refusals.refuse(request, response, outcomes, HttpServletResponse.SC_FORBIDDEN, IssueType.FORBIDDEN,
                    ((Refused) resolution).reason());
        }
    }
}
