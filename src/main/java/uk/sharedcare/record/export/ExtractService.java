package uk.sharedcare.record.export;

import ca.uhn.fhir.batch2.api.IJobCoordinator;
import ca.uhn.fhir.batch2.api.IJobMaintenanceService;
import ca.uhn.fhir.batch2.model.JobInstanceStartRequest;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import uk.sharedcare.record.access.AccessContext;
import uk.sharedcare.record.audit.AuditInterceptor;
import uk.sharedcare.record.consent.Decision;
import uk.sharedcare.record.consent.NationalOptOutList;
import uk.sharedcare.record.consent.SecondaryUsePolicy;

/**
 * Runs extracts: as batch2 jobs for Bulk Data {@code $export} and the monthly schedule (status in the shared job
 * store, files under the extract directory, chunks taken by any node's batch2 workers), or at once on its own
 * node for the extract command. Every run is audited when it ends; a run that cannot be audited releases nothing.
 */
public final class ExtractService implements ExtractJobDefinition.ExtractRuns {

    private static final Logger log = LoggerFactory.getLogger(ExtractService.class);

    private final ExtractRunner runner;
    private final SecondaryUsePolicy policy;
    private final ExtractJobs jobs;
    private final ExtractProperties properties;
    private final ExtractAudit audit;
    private final IJobCoordinator batch2;
    private final IJobMaintenanceService maintenance;
    private final Clock clock;
    /** The National Data Opt-out answer this node last read for a run, kept while that run's chunks go on. */
    private volatile KeptAnswer lastAnswer;

    private record KeptAnswer(String jobId, NationalOptOut answer) {}
    static final String MANIFEST = "manifest.json";
    /** Where a run keeps its copy of the National Data Opt-out answer until its files are assembled. */
    static final String ANSWER_COPY = "national-data-opt-out";
    private static final String SCHEDULER = "scheduler";

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());

    ExtractService(ExtractRunner runner, SecondaryUsePolicy policy, ExtractJobs jobs, ExtractProperties properties,
            ExtractAudit audit, IJobCoordinator batch2, IJobMaintenanceService maintenance, Clock clock) {
        this.runner = runner;
        this.policy = policy;
        this.jobs = jobs;
        this.properties = properties;
        this.audit = audit;
        this.batch2 = batch2;
        this.maintenance = maintenance;
        this.clock = clock;
    }

    /** The recipient's pseudonyms, if the deployment has given it a key. */
    Optional<Pseudonyms> pseudonymsFor(String recipient) {
        return properties.keyFor(recipient).map(Pseudonyms::new);
    }

    /** The recipient's pseudonyms, for a run that cannot go on without them. */
    private Pseudonyms keyedPseudonymsFor(String recipient) {
        return pseudonymsFor(recipient).orElseThrow(() -> new IllegalArgumentException(
                "No pseudonymisation key is configured for recipient " + recipient
                        + " (shared-care.extract.keys." + recipient + ")"));
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
        return nationalOptOutFrom(recipient, properties.nationalOptOut());
    }

    /**
     * The same, from a copy of the answer made in the run's directory, which every chunk of the run then reads on
     * whichever node takes it: the answer may be replaced for the next run while this one goes on.
     */
    private NationalOptOut nationalOptOutCopiedInto(String recipient, Path runDirectory) {
        ExtractProperties.NationalOptOut where = properties.nationalOptOut();
        if (!policy.needsNationalOptOut(recipient) || where.list() == null || !Files.isRegularFile(where.list())) {
            return nationalOptOutFor(recipient);
        }
        Path copy = runDirectory.resolve(ANSWER_COPY).resolve(where.list().getFileName());
        try {
            Files.createDirectories(copy.getParent());
            Files.copy(where.list(), copy, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy the National Data Opt-out answer for the run", e);
        }
        return nationalOptOutFrom(recipient, copyOf(where, copy));
    }

    /**
     * The one file of the run's copy of the answer, under the name it had on the node that started the run:
     * another node may keep its own answer under another name.
     */
    private static Path answerCopiedInto(Path runDirectory) {
        Path copies = runDirectory.resolve(ANSWER_COPY);
        try (Stream<Path> files = Files.list(copies)) {
            return files.filter(Files::isRegularFile).findFirst().orElse(copies.resolve("none"));
        } catch (IOException noCopy) {
            return copies.resolve("none"); // read as no answer at all: the chunk is refused
        }
    }

    private static ExtractProperties.NationalOptOut copyOf(ExtractProperties.NationalOptOut where, Path copy) {
        return new ExtractProperties.NationalOptOut(copy, where.meaning(), where.nhsNumberColumn());
    }

    private NationalOptOut nationalOptOutFrom(String recipient, ExtractProperties.NationalOptOut where) {
        LocalDate today = LocalDate.ofInstant(clock.instant(), ExtractRequest.UK);
        if (!policy.needsNationalOptOut(recipient)) {
            return new NationalOptOut(Optional.empty(), policy.decideNationalOptOut(recipient, Optional.empty(), today));
        }
        Optional<NationalOptOutList> answer;
        try {
            answer = NationalOptOutFile.read(where);
        } catch (NationalOptOutFile.UnusableException unusable) {
            throw new NotStartedException(policy.nationalOptOutUnusable(unusable.getMessage()));
        }
        Decision decision = policy.decideNationalOptOut(recipient, answer, today);
        if (!decision.permits()) {
            throw new NotStartedException(decision);
        }
        return new NationalOptOut(answer, decision);
    }

    /** Accepts an extract and starts it as a batch2 job, which any node may work on; returns the job. */
    ExtractJob start(Requester requester, ExtractRequest request, String requestUrl) {
        pseudonymsFor(request.recipient()).orElseThrow(); // a recipient without a key is refused now
        request.group().ifPresent(runner::members); // an unknown Group is refused now, not in the background
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        try {
            NationalOptOut nationalOptOut = nationalOptOutCopiedInto(request.recipient(), directoryOf(id));
            ExtractJob job = new ExtractJob(id, requester.subject(), request.recipient(), request.month(),
                    requestUrl, ExtractJob.Status.ACCEPTED, 0, now, Optional.empty(), Optional.empty());
            jobs.create(job, now);
            startBatch2(ExtractJobParameters.of(id, request, requester, now, directoryOf(id), Optional.empty(),
                    runner.chunkSize(), nationalOptOut));
            return job;
        } catch (RuntimeException notStarted) {
            deleteTree(directoryOf(id)); // the copy of the opt-out answer holds NHS numbers
            jobs.fail(id, String.valueOf(notStarted.getMessage()), clock.instant());
            throw notStarted;
        }
    }

    private void startBatch2(ExtractJobParameters run) {
        JobInstanceStartRequest start = new JobInstanceStartRequest(ExtractJobDefinition.JOB, run);
        start.setUseCache(false);
        jobs.runsAs(run.jobId(), batch2.startInstance(new SystemRequestDetails(), start).getInstanceId());
    }

    /**
     * While any extract runs, this node's batch2 maintenance pass runs every few seconds instead of every minute:
     * batch2 starts a job's first chunk, opens a gated step and starts the reducer only in that pass.
     */
    @Scheduled(fixedDelayString = "${shared-care.extract.advance-every-ms:2000}", initialDelay = 2000)
    void advanceRunningExtracts() {
        if (jobs.anyRunning()) {
            maintenance.runMaintenancePass();
        }
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
        // the command's run, on the node it starts; $export and the schedule are batch2 jobs (start, runScheduled)
        Pseudonyms pseudonyms = keyedPseudonymsFor(request.recipient());
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
     * The scheduled run of a recipient's month, claimed by whichever node claims it first (the others skip it) and
     * then run as a batch2 job like an {@code $export}, its files and {@code manifest.json} in the month's own
     * directory. A run the National Data Opt-out rule does not let start fails at once, on the trail.
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
            keyedPseudonymsFor(request.recipient());
            startBatch2(ExtractJobParameters.of(id, request, scheduler, now, directory,
                    Optional.of("schedule " + request.month()), runner.chunkSize(),
                    nationalOptOutCopiedInto(request.recipient(), directory)));
        } catch (RuntimeException failure) {
            deleteTree(directory.resolve(ANSWER_COPY));
            jobs.fail(id, String.valueOf(failure.getMessage()), clock.instant());
            audit.failedRun(scheduler, request, id, now, clock.instant(), String.valueOf(failure.getMessage()));
            throw failure;
        }
    }

    @Override
    public ExtractRunner.RunContext contextOf(ExtractJobParameters run) {
        ExtractRequest request = run.request();
        Pseudonyms pseudonyms = pseudonymsFor(request.recipient()).orElseThrow(() -> new IllegalStateException(
                "This node has no pseudonymisation key for recipient " + request.recipient()));
        return new ExtractRunner.RunContext(request, request.cutOff(run.started()), pseudonyms, answerOf(run));
    }

    /**
     * The opt-out answer a run started with, from the copy made at its start; a node that finds another answer
     * there refuses the chunk, so one run never applies two answers.
     */
    private NationalOptOut answerOf(ExtractJobParameters run) {
        if (run.nationalOptOutSha256() == null) {
            LocalDate today = LocalDate.ofInstant(clock.instant(), ExtractRequest.UK);
            return new NationalOptOut(Optional.empty(),
                    policy.decideNationalOptOut(run.recipient(), Optional.empty(), today));
        }
        KeptAnswer kept = lastAnswer;
        if (kept != null && kept.jobId().equals(run.jobId())) {
            return kept.answer();
        }
        NationalOptOut read = nationalOptOutFrom(run.recipient(), copyOf(properties.nationalOptOut(),
                answerCopiedInto(run.directoryPath())));
        if (!read.answer().map(a -> a.sha256().equals(run.nationalOptOutSha256())).orElse(false)) {
            throw new IllegalStateException("The National Data Opt-out answer changed while extract " + run.jobId()
                    + " was running; ask for the extract again");
        }
        lastAnswer = new KeptAnswer(run.jobId(), read);
        return read;
    }

    @Override
    public boolean cancelled(ExtractJobParameters run) {
        return jobs.find(run.jobId()).map(j -> j.status() == ExtractJob.Status.CANCELLED).orElse(true);
    }

    @Override
    public void patientsDone(ExtractJobParameters run, long patients) {
        jobs.addProgress(run.jobId(), patients, clock.instant());
    }

    /**
     * The reducer's end of a run: audited, the manifest written for a scheduled run, the status completed, and
     * only then the chunks' parts removed.
     */
    @Override
    public void assembled(ExtractJobParameters run, ExtractResult result) {
        audit.run(run.requester(), run.request(), run.jobId(), run.started(), clock.instant(), result);
        try {
            deleteTree(run.directoryPath().resolve(ANSWER_COPY)); // NHS numbers: never left with the files
            if (run.command() != null) {
                json.writerWithDefaultPrettyPrinter().writeValue(run.directoryPath().resolve(MANIFEST).toFile(),
                        ExtractManifest.forDirectory(json, run.request(), result, run.command()));
            }
            jobs.complete(run.jobId(), json.writeValueAsString(result), clock.instant());
            ExtractRunner.deleteParts(run.directoryPath());
        } catch (IOException failure) {
            throw new UncheckedIOException(failure);
        }
    }

    @Override
    public Optional<ExtractResult> completed(ExtractJobParameters run) {
        return jobs.find(run.jobId()).filter(job -> job.status() == ExtractJob.Status.COMPLETE).map(this::resultOf);
    }

    /**
     * batch2's end of a run that failed or was cancelled: its files removed, its status failed, the failure on the
     * trail. A run already complete (its reducer's node went quiet after it finished) is left as it is.
     */
    @Override
    public void failed(ExtractJobParameters run, String why) {
        boolean wasRunning = jobs.fail(run.jobId(), "The extract failed: " + why, clock.instant());
        if (!wasRunning && completed(run).isPresent()) {
            log.warn("batch2 ended extract {} after it was complete; its files stay: {}", run.jobId(), why);
            return;
        }
        log.error("Extract {} failed: {}", run.jobId(), why);
        deleteTree(run.directoryPath());
        try {
            audit.failedRun(run.requester(), run.request(), run.jobId(), run.started(), clock.instant(),
                    String.valueOf(why));
        } catch (RuntimeException auditFailure) {
            log.error("Could not record the failure of extract {}", run.jobId(), auditFailure);
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
        boolean wasRunning = jobs.cancel(job.id(), clock.instant());
        jobs.batch2Instance(job.id()).filter(instance -> wasRunning).ifPresent(batch2::cancelInstance);
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

    private Path directoryOf(String jobId) {
        return properties.directory().resolve(jobId);
    }

    private void deleteFiles(String jobId) {
        deleteTree(directoryOf(jobId));
    }

    private static void deleteTree(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            log.warn("Could not delete {}", directory, e);
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
