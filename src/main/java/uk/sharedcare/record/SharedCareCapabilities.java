package uk.sharedcare.record;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;

/**
 * Names the product in the CapabilityStatement ({@code /fhir/metadata}), so an integrator can tell a Shared
 * Care Record from the plain HAPI server underneath (hook {@code SERVER_CAPABILITY_STATEMENT_GENERATED}).
 */
@Interceptor
public final class SharedCareCapabilities {

    static final String SOFTWARE_NAME = "Shared Care Record";

    private final String version;

    SharedCareCapabilities(String version) {
        this.version = version;
    }

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void describe(IBaseConformance capabilities) {
        CapabilityStatement statement = (CapabilityStatement) capabilities;
        statement.getSoftware().setName(SOFTWARE_NAME).setVersion(version);
        statement.setPublisher("Shared Care Record");
    }
}
