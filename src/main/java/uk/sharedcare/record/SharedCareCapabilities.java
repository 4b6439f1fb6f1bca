package uk.sharedcare.record;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import java.util.Optional;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceOperationComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestSecurityComponent;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.UriType;
import uk.sharedcare.record.access.CorsProperties;
import uk.sharedcare.record.access.IdentityProperties;
import uk.sharedcare.record.consent.enforcement.OfferedOperations;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Names the product in the CapabilityStatement ({@code /fhir/metadata}), so an integrator can tell a Shared
 * Care Record from the plain HAPI server underneath, and so that SMART clients find where to get a token (hook
 * {@code SERVER_CAPABILITY_STATEMENT_GENERATED}). It says only what is true: the build's version, CORS only when
 * origins are configured, and only the operations the record offers.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
public final class SharedCareCapabilities {

    static final String SOFTWARE_NAME = "Shared Care Record";

    private static final String OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris";

    private final String version;
    private final IdentityProperties identity;
    private final CorsProperties cors;

    SharedCareCapabilities(String version, IdentityProperties identity, CorsProperties cors) {
        this.version = version;
        this.identity = identity;
        this.cors = cors;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void describe(IBaseConformance capabilities) {
        CapabilityStatement statement = (CapabilityStatement) capabilities;
        statement.getSoftware().setName(SOFTWARE_NAME).setVersion(version);
        statement.setPublisher("Shared Care Record");
        CapabilityStatementRestComponent rest = statement.getRestFirstRep();
        describeSecurity(rest.getSecurity());
        rest.getOperation().removeIf(operation -> !offered(operation, Optional.empty()));
        rest.getResource().forEach(resource -> resource.getOperation()
                .removeIf(operation -> !offered(operation, Optional.of(resource.getType()))));
    }

    /** HAPI lists its own operations too ($meta, $expunge, ...); the record refuses those, so they are left out. */
    private static boolean offered(CapabilityStatementRestResourceOperationComponent operation,
            Optional<String> resourceType) {
        return OfferedOperations.offeredOn("$" + operation.getName(), resourceType);
    }

    /** SMART on FHIR: which service protects the API and where its authorize and token endpoints are. */
    private void describeSecurity(CapabilityStatementRestSecurityComponent security) {
        security.setCors(cors.enabled());
        security.addService(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/restful-security-service", "SMART-on-FHIR", "SMART-on-FHIR")));
        security.setDescription("OAuth2 bearer tokens from " + identity.issuerUri() + "; every request also states"
                + " its purpose of use in the X-Purpose-Of-Use header (v3 ActReason), TREAT when omitted and"
                + " permitted by the token");
        Extension oauthUris = security.addExtension().setUrl(OAUTH_URIS);
        oauthUris.addExtension("authorize", new UriType(identity.authorization().toString()));
        oauthUris.addExtension("token", new UriType(identity.token().toString()));
    }
}
