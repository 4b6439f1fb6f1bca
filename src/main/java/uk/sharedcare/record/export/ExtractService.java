package uk.sharedcare.record.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.slf4j.Logger;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.audit.AuditInterceptor;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.NationalOptOutList;
import uk.sharedcare.record.consent.SecondaryUsePolicy;
import org.slf4j.LoggerFactory;

/**
 * Runs extracts: asynchronously for Bulk Data {@code $export} (job in the shared job store, files under the
 * extract directory), or at once for the extract command and the monthly schedule. Every run is audited when it
 * ends; a run that cannot be audited releases nothing.
 */
public final class ExtractService {

    private static final Logger log = LoggerFactory.getLogger(ExtractService.class);

    private final ExtractRunner runner;
    private final SecondaryUsePolicy policy;
    private final ExtractJobs jobs;
    private final ExtractProperties properties;
    private final ExtractAudit audit;
    private final Executor executor;
    private final Clock clock;
    static final String MANIFEST = "manifest.json";
    private static final String SCHEDULER = "scheduler";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    ExtractService(ExtractRunner runner, SecondaryUsePolicy policy, ExtractJobs jobs, ExtractProperties properties,
            ExtractAudit audit, Executor executor, Clock clock) {
        this.runner = runner;
        this.policy = policy;
        this.jobs = jobs;
        this.properties = properties;
        this.audit = audit;
        this.executor = executor;
        this.clock = clock;
    }

    /** The recipient's pseudonyms, if the deployment has given it a key. */
    Optional<Pseudonyms> pseudonymsFor(String recipient) {
        return properties.keyFor(recipient).map(Pseudonyms::new);
    }

    /** How many patients the runner takes together; for tests only, the files do not depend on it. */
    void chunkSize(int patients) {
        runner.chunkSize(patients);
    }

    /** An extract the National Data Opt-out rule does not let start: no recent answer of the national service. */
    public static final class NotStartedException extends RuntimeException {
        private final transient Decision decision;

        NotStartedException(Decision decision) {
            super(decision.deciding().explain());
            this.decision = decision;
        }

        public Decision decision() {
            return decision;
        }
    }

    /**
     * The National Data Opt-out this run of the recipient's extract applies, read afresh from where the deployment
     * puts the national service's answer; an extract that needs one and has no usable, recent answer is not
     * started (fail closed).
     */
    NationalOptOut nationalOptOutFor(String recipient) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ExtractRequest.UK);
        if (!policy.needsNationalOptOut(recipient)) {
            return new NationalOptOut(Optional.empty(), policy.decideNationalOptOut(recipient, Optional.empty(), today));
        }
        Optional<NationalOptOutList> answer;
        try {
            answer = NationalOptOutFile.read(properties.nationalOptOut());
        } catch (NationalOptOutFile.UnusableException unusable) {
            throw new NotStartedException(policy.nationalOptOutUnusable(unusable.getMessage()));
        }
        Decision decision = policy.decideNationalOptOut(recipient, answer, today);
        if (!decision.permits()) {
            throw new NotStartedException(decision);
        }
        return new NationalOptOut(answer, decision);
    }

    /** Accepts an extract and starts it in the background; returns the job. */
    ExtractJob start(Requester requester, ExtractRequest request, String requestUrl) {
        Pseudonyms pseudonyms = pseudonymsFor(request.recipient()).orElseThrow();
        request.group().ifPresent(runner::members); // an unknown Group is refused now, not in the background
        NationalOptOut nationalOptOut = nationalOptOutFor(request.recipient());
        Instant now = clock.instant();
        ExtractJob job = new ExtractJob(UUID.randomUUID().toString(), requester.subject(), request.recipient(),
                request.month(), requestUrl, ExtractJob.Status.ACCEPTED, 0, now, Optional.empty(), Optional.empty());
        jobs.create(job, now);
        executor.execute(() -> runJob(job, requester, request, pseudonyms, nationalOptOut));
        return job;
    }

    /**
     * Runs an extract now into a directory, with its {@code manifest.json} (the command and the schedule); audited
     * like any other run.
     */
    public ExtractResult runInto(Path directory, Requester requester, ExtractRequest request, String command) {
        return runInto(directory, requester, request, command, NEVER_CANCELLED);
    }

    private ExtractResult runInto(Path directory, Requester requester, ExtractRequest request, String command,
            ExtractRunner.Progress progress) {
        Pseudonyms pseudonyms = pseudonymsFor(request.recipient()).orElseThrow(() -> new IllegalArgumentException(
                "No pseudonymisation key is configured for recipient " + request.recipient()
                        + " (shared-care.extract.keys." + request.recipient() + ")"));
        String runId = UUID.randomUUID().toString();
        Instant started = clock.instant();
        try {
            ExtractResult result = runner.run(request, pseudonyms, nationalOptOutFor(request.recipient()), directory,
                    started, progress);
            audit.run(requester, request, runId, started, clock.instant(), result);
            json.writerWithDefaultPrettyPrinter().writeValue(directory.resolve(MANIFEST).toFile(),
                    ExtractManifest.forDirectory(json, request, result, command));
            return result;
        } catch (IOException | RuntimeException failure) {
            audit.failedRun(requester, request, runId, started, clock.instant(), String.valueOf(failure.getMessage()));
            throw failure instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) failure;
        }
    }

    /**
     * The scheduled run of a recipient's month, on whichever node claims it first; the others skip it. It checks in
     * as it goes, like an {@code $export} job, or every node would take it for abandoned after
     * {@code abandoned-after}.
     */
    void runScheduled(ExtractRequest request) {
        String id = "scheduled-" + request.recipient() + "-" + request.month();
        Instant now = clock.instant();
        ExtractJob job = new ExtractJob(id, SCHEDULER, request.recipient(), request.month(),
                "schedule", ExtractJob.Status.RUNNING, 0, now, Optional.empty(), Optional.empty());
        if (!jobs.claim(job, now)) {
            return;
        }
        Path directory = properties.directory().resolve("scheduled").resolve(request.recipient())
                .resolve(request.month().toString());
        Requester scheduler = new Requester(SCHEDULER, "extract-schedule", request.recipient(),
                request.purpose(), Optional.empty());
        try {
            ExtractResult result = runInto(directory, scheduler, request, "schedule " + request.month(),
                    new JobProgress(id));
            jobs.complete(id, json.writeValueAsString(result), clock.instant());
        } catch (IOException | RuntimeException failure) {
            jobs.fail(id, String.valueOf(failure.getMessage()), clock.instant());
            throw failure instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) failure;
        }
    }

    /** Puts a download on the trail before the file is sent; without that record the caller gets 503. */
    void recordDownload(AccessContext who, Optional<String> address, ExtractJob job, ExtractResult.OutputFile file,
            String url) {
        try {
            audit.download(who, address, job, file, url);
        } catch (RuntimeException failure) {
            log.error("Could not record the download of {} from extract {}", file.fileName(), job.id(), failure);
            throw new AuditInterceptor.AuditUnavailableException();
        }
    }

    Optional<ExtractJob> job(String id) {
        return jobs.find(id);
    }

    ExtractResult resultOf(ExtractJob job) {
        try {
            return json.readValue(job.result().orElseThrow(), ExtractResult.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable result of extract " + job.id(), e);
        }
    }

    Path fileOf(ExtractJob job, ExtractResult.OutputFile file) {
        return directoryOf(job.id()).resolve(file.fileName());
    }

    /** Cancels a running job, or deletes a finished one's files; either way its status is then gone. */
    void cancel(ExtractJob job) {
        jobs.cancel(job.id(), clock.instant());
        jobs.delete(job.id());
        deleteFiles(job.id());
    }

    /** Fails jobs whose node stopped; run at start-up and now and then. */
    void failAbandoned() {
        int failed = jobs.failAbandoned(properties.abandonedAfter(), clock.instant());
        if (failed > 0) {
            log.warn("Marked {} abandoned extract job(s) as failed", failed);
        }
    }

    private void runJob(ExtractJob job, Requester requester, ExtractRequest request, Pseudonyms pseudonyms,
            NationalOptOut nationalOptOut) {
        Instant started = clock.instant();
        ExtractRunner.Progress progress = new JobProgress(job.id());
        try {
            jobs.progress(job.id(), 0, started);
            ExtractResult result = runner.run(request, pseudonyms, nationalOptOut, directoryOf(job.id()), started,
                    progress);
            audit.run(requester, request, job.id(), started, clock.instant(), result);
            jobs.complete(job.id(), json.writeValueAsString(result), clock.instant());
        } catch (ExtractRunner.CancelledException cancelled) {
            deleteFiles(job.id());
            audit.failedRun(requester, request, job.id(), started, clock.instant(), "cancelled by the requester");
        } catch (Exception failure) {
            log.error("Extract {} failed", job.id(), failure);
            deleteFiles(job.id());
            jobs.fail(job.id(), "The extract failed: " + failure.getMessage(), clock.instant());
            try {
                audit.failedRun(requester, request, job.id(), started, clock.instant(),
                        String.valueOf(failure.getMessage()));
            } catch (RuntimeException auditFailure) {
                log.error("Could not record the failure of extract {}", job.id(), auditFailure);
            }
        }
    }

    private Path directoryOf(String jobId) {
        return properties.directory().resolve(jobId);
    }

    private void deleteFiles(String jobId) {
        Path directory = directoryOf(jobId);
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete the files of extract {}", jobId, e);
        }
    }

    /** Records a job's progress in its row every 100 patients (so it is not taken for abandoned); asks if cancelled. */
    private final class JobProgress implements ExtractRunner.Progress {
        private final String jobId;
        private long reported = -1;

        JobProgress(String jobId) {
            this.jobId = jobId;
        }

        @Override
        public void patientsDone(long done) {
            if (done - reported >= 100 || reported < 0) {
                jobs.progress(jobId, done, clock.instant());
                reported = done;
            }
        }

        @Override
        public boolean cancelled() {
            return jobs.find(jobId).map(j -> j.status() == ExtractJob.Status.CANCELLED).orElse(true);
        }
    }

    private static final ExtractRunner.Progress NEVER_CANCELLED = new ExtractRunner.Progress() {
        @Override
        public void patientsDone(long done) {}

        @Override
        public boolean cancelled() {
            return false;
        }
    };
}
