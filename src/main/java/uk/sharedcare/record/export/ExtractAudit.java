package uk.sharedcare.record.export;

import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.audit.AuditEventFactory;
import uk.sharedcare.record.audit.AuditSink;

/**
 * Puts extracts on the audit trail: every run (who asked, when, for which recipient, month and purpose, and its
 * counts: files, patients included, exclusions by rule) and every download of a file. DICOM "Export" events,
 * stored in the same hash chain as every other access.
 */
final class ExtractAudit {

    static final String DICOM_SYSTEM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String EXTRACT_ENTITY = "pseudonymised extract";

    private final AuditSink trail;
    private final AuditEventFactory events;

    ExtractAudit(AuditSink trail, AuditEventFactory events) {
        this.trail = trail;
        this.events = events;
    }

    /** Records a finished run; the caller releases nothing unless this succeeds. */
    String run(Requester requester, ExtractRequest request, String jobId, Instant started, Instant ended,
            ExtractResult result) {
        AuditEvent event = event(requester, started, ended, true, Optional.empty());
        AuditEventEntityComponent extract = extractEntity(event, request, jobId);
        detail(extract, "patients-included", Long.toString(result.patientsIncluded()));
        ExtractResult.NationalOptOutApplied national = result.nationalOptOut();
        detail(extract, "national-data-opt-out", national.checkedOn() == null ? national.decidedBy()
                : "answer checked on " + national.checkedOn() + " (" + national.source() + "), " + national.entries()
                        + " NHS numbers " + national.meaning().toLowerCase(Locale.ROOT).replace('_', ' ')
                        + ", sha256 " + national.sha256());
        result.files().forEach(file -> detail(extract, "file:" + file.fileName(), file.count() + " resources, sha256 "
                + file.sha256()));
        result.patientsExcluded().forEach((rule, count) -> detail(extract, "patients-excluded:" + rule,
                Long.toString(count)));
        result.resourcesExcluded().forEach((rule, count) -> detail(extract, "resources-excluded:" + rule,
                Long.toString(count)));
        return trail.append(event);
    }

    String failedRun(Requester requester, ExtractRequest request, String jobId, Instant started, Instant ended,
            String why) {
        AuditEvent event = event(requester, started, ended, false, Optional.of(why));
        extractEntity(event, request, jobId);
        return trail.append(event);
    }

    /** Records that a caller is about to receive one file of an extract. */
    String download(AccessContext who, Optional<String> address, ExtractJob job, ExtractResult.OutputFile file,
            String url) {
        Instant now = Instant.now();
        AuditEvent event = event(Requester.of(who, address), now, now, true, Optional.empty());
        AuditEventEntityComponent entity = event.addEntity()
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                .setDescription(EXTRACT_ENTITY + " file");
        entity.setQuery(url.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        detail(entity, "job", job.id());
        detail(entity, "recipient", job.recipient());
        detail(entity, "month", job.month().toString());
        detail(entity, "file:" + file.fileName(), file.count() + " resources, sha256 " + file.sha256());
        return trail.append(event);
    }

    private AuditEvent event(Requester requester, Instant started, Instant ended, boolean succeeded,
            Optional<String> why) {
        return events.export(new AuditEventFactory.Agent(requester.subject(), requester.client(),
                requester.organisation(), requester.purpose(), requester.address()), started, ended, succeeded, why);
    }

    private static AuditEventEntityComponent extractEntity(AuditEvent event, ExtractRequest request, String jobId) {
        AuditEventEntityComponent extract = event.addEntity()
                .setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
                .setDescription(EXTRACT_ENTITY);
        request.group().ifPresent(group -> extract.setWhat(new Reference("Group/" + group)));
        detail(extract, "job", jobId);
        detail(extract, "recipient", request.recipient());
        detail(extract, "month", request.month().toString());
        detail(extract, "types", String.join(",", request.types().stream().sorted().toList()));
        request.since().ifPresent(since -> detail(extract, "since", since.toString()));
        return extract;
    }

    private static void detail(AuditEventEntityComponent entity, String type, String value) {
        entity.addDetail().setType(type).setValue(new StringType(value));
    }
}
