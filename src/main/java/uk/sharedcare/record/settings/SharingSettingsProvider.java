package uk.sharedcare.record.settings;

import ca.uhn.fhir.model.api.annotation.Description;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.audit.AccessRecord;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditInterceptor;
import uk.sharedcare.record.audit.AuditTrail;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.OrganisationSettingsPolicy;
import uk.sharedcare.record.consent.PolicySettings;
import uk.sharedcare.record.consent.PolicySettings.OrganisationSharing;
import uk.sharedcare.record.consent.PolicySettings.SharingModel;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * An organisation's sharing settings, read and changed at runtime:
 * <ul>
 *   <li>{@code GET [base]/$sharing-settings?organisation=<ODS>}: how it shares now, and where that comes from;</li>
 *   <li>{@code POST [base]/$set-sharing-settings} with {@code organisation}, {@code sharing}
 *       ({@code share-by-default} or {@code opt-in}) and any number of {@code shareOnlyWith}: the organisation's
 *       own choice, stored in the record, effective for the next request on every node.</li>
 * </ul>
 * A change is stored in the same transaction as the AuditEvent that records it, which names the new settings and
 * the rule that allowed the change; both are stored, or neither.
 */
public final class SharingSettingsProvider {

    private static final Pattern ODS_CODE = Pattern.compile("[A-Z0-9]{3,12}");
    static final String SETTINGS_SYSTEM = "https://shared-care-record.example/fhir/CodeSystem/sharing-settings";

    private final OrganisationSettingsPolicy policy;
    private final PolicySettings fileSettings;
    private final OrganisationSharingStore store;
    private final AuditTrail trail;
    private final AuditEventFactory events;

    public SharingSettingsProvider(OrganisationSettingsPolicy policy, PolicySettings fileSettings,
            OrganisationSharingStore store, AuditTrail trail, AuditEventFactory events) {
        this.policy = policy;
        this.fileSettings = fileSettings;
        this.store = store;
        this.trail = trail;
        this.events = events;
    }

    @Operation(name = "$sharing-settings", idempotent = true)
    @Description(shortDefinition = "How an organisation shares the data it records, and where that setting comes from")
    public Parameters read(@OperationParam(name = "organisation", min = 1, max = 1) StringType organisation,
            RequestDetails request) {
        String ods = odsCode(organisation, "organisation");
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideRead(who, ods);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        return describe(ods);
    }

    @Operation(name = "$set-sharing-settings")
    @Description(shortDefinition = "An organisation's own choice of how it shares the data it records")
    public Parameters change(@OperationParam(name = "organisation", min = 1, max = 1) StringType organisation,
            @OperationParam(name = "sharing", min = 1, max = 1) CodeType sharing,
            @OperationParam(name = "shareOnlyWith") List<StringType> shareOnlyWith, RequestDetails request) {
        String ods = odsCode(organisation, "organisation");
        SharingModel model = SharingModel.fromCode(sharing == null ? null : sharing.getValue())
                .orElseThrow(() -> new InvalidRequestException("sharing must be share-by-default or opt-in"));
        Set<String> listed = new TreeSet<>();
        if (shareOnlyWith != null) {
            shareOnlyWith.forEach(code -> listed.add(odsCode(code, "shareOnlyWith")));
        }
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideChange(who, ods);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        AuditEvent event = events.build(new AccessRecord(who.at(), Optional.of(who), "update",
                request.getCompleteUrl(), AuditInterceptor.address(request), AccessRecord.Outcome.SUCCESS, List.of(), List.of(),
                Optional.empty()), List.of(decision));
        AuditEvent.AuditEventEntityComponent change = event.addEntity()
                .setType(new Coding(SETTINGS_SYSTEM, "sharing-settings", "Sharing settings"))
                .setDescription("sharing settings of " + ods + ": " + model.code()
                        + (listed.isEmpty() ? "" : ", shared only with " + String.join(", ", listed)));
        change.addDetail().setType("organisation").setValue(new StringType(ods));
        change.addDetail().setType("sharing").setValue(new StringType(model.code()));
        listed.forEach(code -> change.addDetail().setType("shareOnlyWith").setValue(new StringType(code)));
        try {
            trail.append(event, sequence -> store.store(ods, model, listed, who.at(), who.subject(),
                    "AuditEvent/" + sequence));
        } catch (RuntimeException failed) {
            throw new InternalErrorException("The sharing settings were not changed: " + failed.getMessage(), failed);
        }
        request.getUserData().put(AuditInterceptor.RECORDED_BY_OPERATION, Boolean.TRUE);
        return describe(ods);
    }

    private Parameters describe(String ods) {
        Optional<OrganisationSharingStore.Stored> stored = store.of(ods);
        OrganisationSharing sharing = stored.map(OrganisationSharingStore.Stored::sharing)
                .orElseGet(() -> fileSettings.sharingOf(ods));
        Parameters settings = new Parameters();
        settings.addParameter().setName("organisation").setValue(new StringType(ods));
        settings.addParameter().setName("sharing").setValue(new CodeType(sharing.model().code()));
        new TreeSet<>(sharing.shareOnlyWith()).forEach(code ->
                settings.addParameter().setName("shareOnlyWith").setValue(new StringType(code)));
        settings.addParameter().setName("source").setValue(new StringType(sharing.source()));
        stored.ifPresent(own -> {
            settings.addParameter().setName("changed").setValue(new InstantType(Date.from(own.changed())));
            settings.addParameter().setName("auditEvent").setValue(new Reference(own.auditEvent()));
        });
        return settings;
    }

    static String odsCode(StringType given, String parameter) {
        String code = given == null ? null : given.getValue();
        if (code == null || !ODS_CODE.matcher(code).matches()) {
            throw new InvalidRequestException(parameter + " must be an ODS organisation code (3 to 12 capital"
                    + " letters and digits)");
        }
        return code;
    }
}
