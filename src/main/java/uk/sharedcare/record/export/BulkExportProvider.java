package uk.sharedcare.record.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RequestTypeEnum;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.access.AccessContexts;
import uk.sharedcare.record.audit.AuditInterceptor;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import uk.sharedcare.record.consent.enforcement.Refusals;

/**
 * FHIR Bulk Data export of the pseudonymised extract, as the Bulk Data Access IG describes it: kick-off
 * ({@code [base]/$export}, {@code [base]/Patient/$export}, {@code [base]/Group/[id]/$export}) with
 * {@code Prefer: respond-async} answers 202 and a status URL; polling it answers 202 with {@code X-Progress}
 * until the manifest (200); each file is downloaded
 * with the same access token ({@code requiresAccessToken}); DELETE on the status URL cancels. Only a caller the
 * secondary-use policy (rule 10) lets take extracts gets anywhere, and only its own jobs exist for it.
 *
 * <p>Parameters: {@code _outputFormat} (NDJSON), {@code _type}, {@code _since}, and {@code month} (YYYY-MM, by
 * default the month just ended). Any other is refused rather than ignored, so no caller believes a filter was
 * applied when it was not.
 */
public final class BulkExportProvider {

    static final String POLL_OPERATION = "$export-poll-status";
    static final String FILE_OPERATION = "$export-file";
    static final String NDJSON = "application/fhir+ndjson";
    private static final Set<String> OUTPUT_FORMATS = Set.of(NDJSON, "application/ndjson", "ndjson");
    private static final Set<String> KICK_OFF_PARAMETERS = Set.of("_outputFormat", "_type", "_since", "month");

    private final ExtractService extracts;
    private final SecondaryUsePolicy policy;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final FhirContext fhir;

    BulkExportProvider(ExtractService extracts, SecondaryUsePolicy policy, FhirContext fhir, Clock clock) {
        this.extracts = extracts;
        this.fhir = fhir;
        this.policy = policy;
        this.clock = clock;
    }

    @Operation(name = "$export", manualResponse = true, idempotent = true)
    public void exportAll(
            @OperationParam(name = "_outputFormat", typeName = "string") IPrimitiveType<String> outputFormat,
            @OperationParam(name = "_type", typeName = "string") IPrimitiveType<String> types,
            @OperationParam(name = "_since", typeName = "instant") IPrimitiveType<Date> since,
            @OperationParam(name = "month", typeName = "string") IPrimitiveType<String> month,
            ServletRequestDetails request) throws IOException {
        kickOff(request, Optional.empty(), outputFormat, types(types, ExtractRequest.EXTRACTED_TYPES), since,
                month);
    }

    @Operation(name = "$export", manualResponse = true, idempotent = true, typeName = "Group")
    public void exportGroup(
            @IdParam IIdType group,
            @OperationParam(name = "_outputFormat", typeName = "string") IPrimitiveType<String> outputFormat,
            @OperationParam(name = "_type", typeName = "string") IPrimitiveType<String> types,
            @OperationParam(name = "_since", typeName = "instant") IPrimitiveType<Date> since,
            @OperationParam(name = "month", typeName = "string") IPrimitiveType<String> month,
            ServletRequestDetails request) throws IOException {
        kickOff(request, Optional.of(group.getIdPart()), outputFormat,
                types(types, ExtractRequest.EXTRACTED_TYPES), since, month);
    }

    /** Patient-level export: every patient, with only the types in the patient compartment. */
    @Operation(name = "$export", manualResponse = true, idempotent = true, typeName = "Patient")
    public void exportPatients(
            @OperationParam(name = "_outputFormat", typeName = "string") IPrimitiveType<String> outputFormat,
            @OperationParam(name = "_type", typeName = "string") IPrimitiveType<String> types,
            @OperationParam(name = "_since", typeName = "instant") IPrimitiveType<Date> since,
            @OperationParam(name = "month", typeName = "string") IPrimitiveType<String> month,
            ServletRequestDetails request) throws IOException {
        kickOff(request, Optional.empty(), outputFormat, types(types, ExtractRequest.PATIENT_COMPARTMENT_TYPES),
                since, month);
    }

    @Operation(name = POLL_OPERATION, manualResponse = true, idempotent = true, deleteEnabled = true)
    public void status(@OperationParam(name = "_jobId", typeName = "string", min = 1) IPrimitiveType<String> jobId,
            ServletRequestDetails request) throws IOException {
        ExtractJob job = ownJob(request, jobId);
        HttpServletResponse response = request.getServletResponse();
        if (request.getRequestType() == RequestTypeEnum.DELETE) {
            extracts.cancel(job);
            writeOutcome(response, 202, "The extract was cancelled and its files deleted");
            return;
        }
        switch (job.status()) {
            case ACCEPTED, RUNNING -> {
                response.setStatus(202);
                response.setHeader("X-Progress", job.patientsDone() + " patients processed");
                response.setHeader("Retry-After", "2");
            }
            case COMPLETE -> writeManifest(request, job, extracts.resultOf(job));
            case FAILED -> throw new InternalErrorException(job.error().orElse("The extract failed"));
            case CANCELLED -> throw unknownJob();
        }
    }

    @Operation(name = FILE_OPERATION, manualResponse = true, idempotent = true)
    public void download(@OperationParam(name = "_jobId", typeName = "string", min = 1) IPrimitiveType<String> jobId,
            @OperationParam(name = "_file", typeName = "string", min = 1) IPrimitiveType<String> fileName,
            ServletRequestDetails request) throws IOException {
        ExtractJob job = ownJob(request, jobId);
        if (job.status() != ExtractJob.Status.COMPLETE) {
            throw new ResourceNotFoundException("No such file: the extract is not complete");
        }
        ExtractResult.OutputFile file = extracts.resultOf(job).files().stream()
                .filter(f -> f.fileName().equals(fileName.getValue()))
                .findFirst()
                .orElseThrow(() -> new ResourceNotFoundException("No file " + fileName.getValue()
                        + " in this extract"));
        AccessContext who = AccessContexts.of(request).orElseThrow();
        extracts.recordDownload(who, address(request), job, file, request.getCompleteUrl());
        request.getUserData().put(AuditInterceptor.RECORDED_BY_OPERATION, Boolean.TRUE);
        HttpServletResponse response = request.getServletResponse();
        response.setStatus(200);
        response.setContentType(NDJSON);
        response.setContentLengthLong(Files.size(extracts.fileOf(job, file)));
        try (OutputStream out = response.getOutputStream()) {
            Files.copy(extracts.fileOf(job, file), out);
        }
    }

    private void kickOff(ServletRequestDetails request, Optional<String> group,
            IPrimitiveType<String> outputFormat, Supplier<Set<String>> types, IPrimitiveType<Date> since,
            IPrimitiveType<String> month) throws IOException {
        AccessContext who = permitted(request);
        refuseUnknownParameters(request);
        String prefer = Optional.ofNullable(request.getHeader(Constants.HEADER_PREFER)).orElse("");
        if (!prefer.contains("respond-async")) {
            throw new InvalidRequestException("A Bulk Data kick-off needs the header 'Prefer: respond-async'");
        }
        if (outputFormat != null && !OUTPUT_FORMATS.contains(outputFormat.getValue())) {
            throw new InvalidRequestException("_outputFormat " + outputFormat.getValue()
                    + " is not offered; the extract is " + NDJSON);
        }
        ExtractRequest extract = new ExtractRequest(month(month), who.organisation(), who.purpose(),
                types.get(), group, Optional.ofNullable(since).map(s -> s.getValue().toInstant()));
        if (extracts.pseudonymsFor(who.organisation()).isEmpty()) {
            throw Refusals.forbidden(policy.recipientWithoutKey(who.organisation()));
        }
        ExtractJob job;
        try {
            job = extracts.start(Requester.of(who, address(request)), extract, request.getCompleteUrl());
        } catch (ExtractService.NotStartedException notStarted) {
            throw notStartedWithoutNationalOptOut(notStarted.decision());
        }
        HttpServletResponse response = request.getServletResponse();
        response.setHeader(Constants.HEADER_CONTENT_LOCATION, statusUrl(request, job));
        writeOutcome(response, 202, "Extract accepted for " + extract.recipient() + ", month " + extract.month()
                + (month == null ? " (no month was given: the month just ended; month=YYYY-MM asks for another,"
                        + " the month still running included)" : ""));
    }

    /**
     * 503: the caller may take the extract, but the record cannot make it until the deployment puts a recent
     * answer of the National Data Opt-out service where it is configured (fail closed).
     */
    private static UnclassifiedServerFailureException notStartedWithoutNationalOptOut(Decision decision) {
        String explanation = decision.deciding().explain();
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.ERROR)
                .setCode(IssueType.BUSINESSRULE).setDiagnostics(explanation);
        return new UnclassifiedServerFailureException(503, explanation, outcome);
    }

    private AccessContext permitted(ServletRequestDetails request) {
        AccessContext who = AccessContexts.of(request).orElseThrow();
        Decision decision = policy.decideExtract(who);
        if (!decision.permits()) {
            throw Refusals.forbidden(decision);
        }
        return who;
    }

    /** The caller's own job; anyone else's, or none, is the same 404. */
    private ExtractJob ownJob(ServletRequestDetails request, IPrimitiveType<String> jobId) {
        AccessContext who = permitted(request);
        return extracts.job(jobId.getValue())
                .filter(job -> job.subject().equals(who.subject()) && job.recipient().equals(who.organisation()))
                .filter(job -> job.status() != ExtractJob.Status.CANCELLED
                        || request.getRequestType() == RequestTypeEnum.DELETE)
                .orElseThrow(BulkExportProvider::unknownJob);
    }

    private static ResourceNotFoundException unknownJob() {
        return new ResourceNotFoundException("No such extract job");
    }

    private static void refuseUnknownParameters(ServletRequestDetails request) {
        Set<String> names = new LinkedHashSet<>(request.getParameters().keySet());
        if (request.getResource() instanceof Parameters body) {
            body.getParameter().forEach(p -> names.add(p.getName()));
        }
        names.removeAll(KICK_OFF_PARAMETERS);
        if (!names.isEmpty()) {
            throw new InvalidRequestException("Export parameter(s) " + names + " are not supported; this server"
                    + " offers " + KICK_OFF_PARAMETERS);
        }
    }

    private YearMonth month(IPrimitiveType<String> month) {
        YearMonth current = YearMonth.now(clock.withZone(ExtractRequest.UK));
        if (month == null || month.getValue() == null) {
            return current.minusMonths(1);
        }
        try {
            YearMonth asked = YearMonth.parse(month.getValue());
            if (asked.isAfter(current)) {
                throw new InvalidRequestException("month " + asked + " has not begun");
            }
            return asked;
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("month must be YYYY-MM, not '" + month.getValue() + "'");
        }
    }

    /** The types asked for with {@code _type}, checked lazily (after the caller), or all those offered. */
    private static Supplier<Set<String>> types(IPrimitiveType<String> types, List<String> offered) {
        return () -> {
            if (types == null || types.getValue() == null || types.getValue().isBlank()) {
                return Set.copyOf(offered);
            }
            Set<String> asked = new LinkedHashSet<>(Arrays.stream(types.getValue().split(","))
                    .map(String::trim).filter(t -> !t.isEmpty()).toList());
            Set<String> unknown = new LinkedHashSet<>(asked);
            offered.forEach(unknown::remove);
            if (!unknown.isEmpty()) {
                throw new InvalidRequestException("_type " + unknown + " is not in this extract; it holds "
                        + offered);
            }
            return asked;
        };
    }

    private void writeManifest(ServletRequestDetails request, ExtractJob job, ExtractResult result)
            throws IOException {
        ObjectNode manifest = json.createObjectNode();
        manifest.put("transactionTime", ExtractManifest.instant(result.cutOff()));
        manifest.put("request", job.requestUrl());
        manifest.put("requiresAccessToken", true);
        ArrayNode output = manifest.putArray("output");
        for (ExtractResult.OutputFile file : result.files()) {
            output.addObject()
                    .put("type", file.resourceType())
                    .put("url", request.getFhirServerBase() + "/" + FILE_OPERATION + "?_jobId=" + job.id()
                            + "&_file=" + file.fileName())
                    .put("count", file.count());
        }
        manifest.putArray("error");
        manifest.putObject("extension").set(ExtractManifest.EXTENSION_URL, ExtractManifest.summary(json, job.month(),
                job.recipient(), result));
        byte[] body = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
        HttpServletResponse response = request.getServletResponse();
        response.setStatus(200);
        response.setContentType("application/json;charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    private static String statusUrl(ServletRequestDetails request, ExtractJob job) {
        return request.getFhirServerBase() + "/" + POLL_OPERATION + "?_jobId=" + job.id();
    }

    private static Optional<String> address(ServletRequestDetails request) {
        return Optional.ofNullable(request.getServletRequest()).map(r -> r.getRemoteAddr());
    }

    private void writeOutcome(HttpServletResponse response, int status, String text) throws IOException {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.INFORMATIONAL)
                .setDiagnostics(text);
        byte[] body = fhir.newJsonParser().encodeResourceToString(outcome)
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType(Constants.CT_FHIR_JSON_NEW + ";charset=utf-8");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
