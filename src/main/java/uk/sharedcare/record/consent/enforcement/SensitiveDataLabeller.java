package uk.sharedcare.record.consent.enforcement;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseCoding;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import uk.sharedcare.record.consent.Code;
import uk.sharedcare.record.consent.CodeLists;
import uk.sharedcare.record.hooks.InterceptorOrder;

/**
 * Rule 6 at write time: a resource that carries any sensitive code anywhere in it (a sexually transmitted
 * infection, contraception, a termination...) gets the matching v3 ActCode confidentiality label in
 * {@code meta.security}, so that enforcement, and later search narrowing, can rely on the label alone. Labels
 * are only ever added here, never removed.
 */
@Interceptor(order = InterceptorOrder.UNORDERED)
final class SensitiveDataLabeller {

    static final String LABEL_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode";

    private final FhirContext fhir;
    private final CodeLists codes;

    SensitiveDataLabeller(FhirContext fhir, CodeLists codes) {
        this.fhir = fhir;
        this.codes = codes;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void onCreate(IBaseResource resource) {
        label(resource);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void onUpdate(IBaseResource previous, IBaseResource resource) {
        label(resource);
    }

    void label(IBaseResource resource) {
        List<Code> carried = fhir.newTerser().getAllPopulatedChildElementsOfType(resource, Coding.class).stream()
                .map(coding -> new Code(coding.getSystem(), coding.getCode()))
                .toList();
        for (String label : codes.sensitiveLabelsFor(carried)) {
            boolean present = resource.getMeta().getSecurity().stream()
                    .anyMatch(existing -> LABEL_SYSTEM.equals(existing.getSystem()) && label.equals(existing.getCode()));
            if (!present) {
                IBaseCoding security = resource.getMeta().addSecurity();
                security.setSystem(LABEL_SYSTEM);
                security.setCode(label);
            }
        }
    }
}
