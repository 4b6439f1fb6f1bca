package uk.sharedcare.console;

import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * The console's user is the signed-in person with the roles, organisation and NHS number their access token
 * carries (the token the console calls the record with), so that the pages it offers match what the record will
 * allow. The token has come straight from Keycloak's token endpoint; the record verifies it on every call.
 */
final class TokenRoles extends OidcUserService {

    static final String ROLES_ATTRIBUTE = "roles";
    private static final List<String> CARRIED = List.of(ROLES_ATTRIBUTE, "organisation", "nhs_number");

    @Override
    public OidcUser loadUser(OidcUserRequest request) throws OAuth2AuthenticationException {
        Map<String, Object> claims;
        try {
            claims = JWTParser.parse(request.getAccessToken().getTokenValue()).getJWTClaimsSet().getClaims();
        } catch (ParseException notAJwt) {
            throw new OAuth2AuthenticationException(new OAuth2Error("invalid_token"), "The access token is not a JWT",
                    notAJwt);
        }
        Map<String, Object> carried = new HashMap<>();
        CARRIED.stream().filter(claims::containsKey).forEach(name -> carried.put(name, claims.get(name)));
        Set<GrantedAuthority> authorities = new HashSet<>();
        if (claims.get(ROLES_ATTRIBUTE) instanceof List<?> roles) {
            roles.forEach(role -> authorities.add(new SimpleGrantedAuthority("ROLE_" + role)));
        }
        return new DefaultOidcUser(authorities, request.getIdToken(), new OidcUserInfo(carried), "preferred_username");
    }
}
