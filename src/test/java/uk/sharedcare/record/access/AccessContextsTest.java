package uk.sharedcare.record.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * Who a request is from is judged in one place: an HTTP request without an access context is refused by every hook
 * that acts on record data, never taken for the server's own work (which never reaches the plugin's hooks).
 */
class AccessContextsTest {

    @Test
    void anHttpRequestWithoutAnAccessContextIsRefusedRatherThanTakenForTheServersOwnWork() {
        ServletRequestDetails request = new ServletRequestDetails();
        request.setServletRequest(new MockHttpServletRequest("GET", "/fhir/Observation"));

        assertThat(AccessContexts.of(request)).isEmpty();
        assertThatThrownBy(() -> AccessContexts.require(request)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("No access context");
    }

    @Test
    void anHttpRequestCarriesTheContextTheSecurityFilterAttached() {
        MockHttpServletRequest servlet = new MockHttpServletRequest("GET", "/fhir/Observation");
        AccessContext gp = new AccessContext("dr.patel", "ehr", "Y90001", Set.of(Role.GP), Optional.empty(),
                PurposeOfUse.TREAT, Optional.empty(), Instant.now(), SmartScopes.unrestricted());
        AccessContexts.attach(servlet, gp);
        ServletRequestDetails request = new ServletRequestDetails();
        request.setServletRequest(servlet);

        assertThat(AccessContexts.require(request)).isEqualTo(gp);
    }

    @Test
    void theServersOwnWorkHasNoAccessContext() {
        assertThat(AccessContexts.of(new SystemRequestDetails())).isEmpty();
    }
}
