package uk.sharedcare.record.export;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.FhirContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBase;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Annotation;
import org.hl7.fhir.r4.model.Attachment;
import org.hl7.fhir.r4.model.BackboneElement;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DomainResource;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Narrative;
import org.hl7.fhir.r4.model.OidType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Signature;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UuidType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.consent.SecondaryUseSettings.BirthDatePrecision;

/**
 * Turns a stored resource into what may leave in an extract. An allow-list by data type, applied to every element
 * at any depth, so a field added to a resource later cannot carry an identifier out by default:
 * <ul>
 *   <li>removed: names, telecoms, identifiers (but an organisation's ODS code), free text of any kind (every
 *       string and markdown value: notes, titles, descriptions, displays, {@code CodeableConcept.text}),
 *       narratives, attachments, annotations, signatures, extensions, contained resources and meta;</li>
 *   <li>removed from Patient: contacts, links, photos and multiple-birth order;</li>
 *   <li>coarsened: a date of birth (and of death) to the year or month; a patient's address to the postcode
 *       district, every other address removed;</li>
 *   <li>pseudonymised: the resource id and every reference, with the recipient's keyed pseudonyms, so references
 *       between extracted resources still resolve.</li>
 * </ul>
 * Codes, coded values, quantities, numbers, booleans and clinical dates stay.
 */
final class Deidentifier {

    /** Outward code of a UK postcode: area letters, district digit(s) and an optional letter. */
    private static final Pattern POSTCODE = Pattern.compile("^([A-Z]{1,2}[0-9][0-9A-Z]?)\\s*([0-9][A-Z]{2})$");
    private static final Set<String> PATIENT_FIELDS_REMOVED = Set.of("contact", "link", "photo", "multipleBirth");

    private final FhirContext fhir;
    private final Pseudonyms pseudonyms;
    private final BirthDatePrecision birthDatePrecision;

    Deidentifier(FhirContext fhir, Pseudonyms pseudonyms, BirthDatePrecision birthDatePrecision) {
        this.fhir = fhir;
        this.pseudonyms = pseudonyms;
        this.birthDatePrecision = birthDatePrecision;
    }

    /** A de-identified copy; the stored resource is not changed. */
    Resource apply(Resource stored) {
        Resource copy = stored.copy();
        String type = copy.fhirType();
        String id = stored.getIdElement().getIdPart();
        scrub(copy, type);
        copy.setMeta(null);
        copy.setIdElement(new IdType(type, pseudonyms.of(type, id)));
        if (copy instanceof Patient patient) {
            patient.setAddress(postcodeDistrict(((Patient) stored).getAddress()).map(List::of).orElse(List.of()));
            coarsen(patient, (Patient) stored);
        }
        return copy;
    }

    private void scrub(IBase element, String resourceType) {
        dropExtensionsAndText(element);
        BaseRuntimeElementDefinition<?> definition = fhir.getElementDefinition(element.getClass());
        if (!(definition instanceof BaseRuntimeElementCompositeDefinition<?> composite)) {
            return;
        }
        for (BaseRuntimeChildDefinition child : composite.getChildren()) {
            List<IBase> values = child.getAccessor().getValues(element);
            if (values.isEmpty()) {
                continue;
            }
            boolean patientFieldRemoved = element instanceof Patient
                    && PATIENT_FIELDS_REMOVED.contains(child.getElementName());
            List<IBase> kept = new ArrayList<>();
            for (IBase value : values) {
                if (!patientFieldRemoved) {
                    keptValue(value, resourceType).ifPresent(kept::add);
                }
            }
            child.getMutator().setValue(element, null);
            kept.forEach(value -> child.getMutator().addValue(element, value));
        }
    }

    /** Whatever HAPI keeps outside the declared children is removed explicitly. */
    private static void dropExtensionsAndText(IBase element) {
        if (element instanceof DomainResource resource) {
            resource.setText(null);
            resource.getContained().clear();
            resource.getExtension().clear();
            resource.getModifierExtension().clear();
        }
        if (element instanceof Element datatype) {
            datatype.setId(null);
            datatype.getExtension().clear();
        }
        if (element instanceof BackboneElement backbone) {
            backbone.getModifierExtension().clear();
        }
    }

    private Optional<IBase> keptValue(IBase value, String resourceType) {
        if (value instanceof Resource || value instanceof Narrative || value instanceof Extension
                || value instanceof HumanName || value instanceof ContactPoint || value instanceof Attachment
                || value instanceof Annotation || value instanceof Signature || value instanceof Meta
                || value instanceof Base64BinaryType || value instanceof Address
                || value instanceof UuidType || value instanceof OidType) {
            return Optional.empty();
        }
        if (value instanceof Identifier identifier) {
            return "Organization".equals(resourceType) ? odsCode(identifier) : Optional.empty();
        }
        if (value instanceof Reference reference) {
            return pseudonymised(reference);
        }
        if (value instanceof StringType && !(value instanceof CodeType)) {
            return Optional.empty();
        }
        if (value instanceof PrimitiveType<?>) {
            return Optional.of(value);
        }
        scrub(value, resourceType);
        return ((Base) value).isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private static Optional<IBase> odsCode(Identifier identifier) {
        return AccessContext.ODS_SYSTEM.equals(identifier.getSystem()) && identifier.hasValue()
                ? Optional.of(new Identifier().setSystem(AccessContext.ODS_SYSTEM).setValue(identifier.getValue()))
                : Optional.empty();
    }

    /** Only a relative reference (pseudonymised) and an organisation's ODS identifier stay; displays go. */
    private Optional<IBase> pseudonymised(Reference reference) {
        Reference kept = new Reference();
        IIdType target = reference.getReferenceElement();
        if (reference.hasReference() && target.hasResourceType() && target.hasIdPart() && !target.isAbsolute()
                && !reference.getReference().startsWith("#")) {
            kept.setReference(target.getResourceType() + "/"
                    + pseudonyms.of(target.getResourceType(), target.getIdPart()));
        }
        if (reference.hasIdentifier()) {
            odsCode(reference.getIdentifier()).ifPresent(ods -> kept.setIdentifier((Identifier) ods));
        }
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept);
    }

    private void coarsen(Patient patient, Patient stored) {
        if (stored.hasBirthDateElement() && stored.getBirthDateElement().getValue() != null) {
            patient.setBirthDateElement(coarse(stored.getBirthDateElement().getValueAsString()));
        }
        if (stored.hasDeceasedDateTimeType() && stored.getDeceasedDateTimeType().getValue() != null) {
            patient.setDeceased(new DateTimeType(coarse(stored.getDeceasedDateTimeType().getValueAsString())
                    .getValueAsString()));
        }
    }

    private DateType coarse(String date) {
        int length = birthDatePrecision == BirthDatePrecision.MONTH ? 7 : 4;
        return new DateType(date.substring(0, Math.min(length, date.length())));
    }

    /** The postcode district (outward code) of the patient's first address with a UK postcode. */
    static Optional<Address> postcodeDistrict(List<Address> addresses) {
        for (Address address : addresses) {
            if (!address.hasPostalCode()) {
                continue;
            }
            Matcher postcode = POSTCODE.matcher(address.getPostalCode().trim().toUpperCase(Locale.ROOT));
            if (postcode.matches()) {
                return Optional.of(new Address().setPostalCode(postcode.group(1)));
            }
        }
        return Optional.empty();
    }
}
