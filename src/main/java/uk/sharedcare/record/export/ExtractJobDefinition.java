package uk.sharedcare.record.export;

import ca.uhn.fhir.batch2.api.ChunkExecutionDetails;
import ca.uhn.fhir.batch2.api.IFirstJobStepWorker;
import ca.uhn.fhir.batch2.api.IJobDataSink;
import ca.uhn.fhir.batch2.api.IJobStepWorker;
import ca.uhn.fhir.batch2.api.IReductionStepWorker;
import ca.uhn.fhir.batch2.api.JobExecutionFailedException;
import ca.uhn.fhir.batch2.api.RunOutcome;
import ca.uhn.fhir.batch2.api.StepExecutionDetails;
import ca.uhn.fhir.batch2.api.VoidModel;
import ca.uhn.fhir.batch2.model.ChunkOutcome;
import ca.uhn.fhir.batch2.model.JobDefinition;
import ca.uhn.fhir.model.api.IModelJson;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import uk.sharedcare.record.export.ExtractRunner.Chunk;
import uk.sharedcare.record.export.ExtractRunner.RunContext;

/**
 * The extract as a HAPI batch2 job: its work chunks are stored in the database and taken by the nodes' batch2
 * workers. Three steps: the population cut into chunks in a fixed order; each chunk's patients loaded together,
 * decided, de-identified and written as the chunk's part of each file; the parts concatenated in chunk order and
 * the counts summed, once, by the reducer, which also records the run and completes its Bulk Data status. Gated,
 * as batch2 requires of a job with a reducer.
 */
final class ExtractJobDefinition {

    static final String JOB = "scr-monthly-extract";

    private ExtractJobDefinition() {}

    static JobDefinition<ExtractJobParameters> of(ExtractRunner runner, ExtractRuns runs, ChunkClaims claims) {
        return JobDefinition.newBuilder()
                .setJobDefinitionId(JOB)
                .setJobDefinitionVersion(1)
                .setJobDescription("Shared Care Record: pseudonymised extract for secondary use")
                .setParametersType(ExtractJobParameters.class)
                .gatedExecution()
                .addFirstStep("split", "The population in a fixed order, in chunks", Chunk.class,
                        new Split(runner, runs))
                .addIntermediateStep("extract-chunk", "One chunk de-identified and written as its parts",
                        ChunkCounts.class, new ExtractChunk(runner, runs))
                .addFinalReducerStep("assemble", "The parts joined in chunk order, the counts summed",
                        Report.class, new Assemble(runner, runs, claims, new ConcurrentHashMap<>()))
                .errorHandler(details -> runs.failed(details.getParameters(), details.getInstance().getErrorMessage()))
                .build();
    }

    /** What the reducer reports to batch2 once the run is assembled. */
    record Report(@JsonProperty("jobId") String jobId, @JsonProperty("patientsIncluded") long patientsIncluded)
            implements IModelJson {}

    /** What the steps ask of the extract service: the run's shared state, its progress and its ending. */
    interface ExtractRuns {
        RunContext contextOf(ExtractJobParameters run);

        boolean cancelled(ExtractJobParameters run);

        /** The run's result if it is already complete: assembled by a reducer whose node then went quiet. */
        Optional<ExtractResult> completed(ExtractJobParameters run);

        void patientsDone(ExtractJobParameters run, long patients);

        void assembled(ExtractJobParameters run, ExtractResult result);

        void failed(ExtractJobParameters run, String why);
    }

    private record Split(ExtractRunner runner, ExtractRuns runs)
            implements IFirstJobStepWorker<ExtractJobParameters, Chunk> {

        @Override
        public RunOutcome run(StepExecutionDetails<ExtractJobParameters, VoidModel> step, IJobDataSink<Chunk> sink) {
            ExtractJobParameters run = step.getParameters();
            int[] chunks = {0};
            try {
                runner.split(run.request(), run.chunkSize(), chunk -> {
                    sink.accept(chunk);
                    if (chunks[0]++ % 100 == 0) {
                        runs.patientsDone(run, 0); // alive: a region's split outlasts abandoned-after otherwise
                    }
                });
            } catch (IOException failure) {
                throw new JobExecutionFailedException("Could not cut the population into chunks", failure);
            }
            return new RunOutcome(chunks[0]);
        }
    }

    private record ExtractChunk(ExtractRunner runner, ExtractRuns runs)
            implements IJobStepWorker<ExtractJobParameters, Chunk, ChunkCounts> {

        @Override
        public RunOutcome run(StepExecutionDetails<ExtractJobParameters, Chunk> step, IJobDataSink<ChunkCounts> sink) {
            ExtractJobParameters run = step.getParameters();
            if (runs.cancelled(run)) {
                return new RunOutcome(0);
            }
            Chunk chunk = step.getData();
            try {
                sink.accept(runner.extractChunk(runs.contextOf(run), chunk, run.directoryPath()));
            } catch (IOException failure) {
                throw new JobExecutionFailedException("Could not write chunk " + chunk.index(), failure);
            }
            runs.patientsDone(run, chunk.patientIds().size());
            return new RunOutcome(chunk.patientIds().size());
        }
    }

    /**
     * The reducer, holding its run's reducer lease while it works. A chunk done twice (its node went quiet and
     * another redid it) has two outcomes with the same counts: one is kept per chunk.
     */
    private record Assemble(ExtractRunner runner, ExtractRuns runs, ChunkClaims claims,
            Map<Integer, ChunkCounts> outcomes)
            implements IReductionStepWorker<ExtractJobParameters, ChunkCounts, Report> {

        @Override
        public ChunkOutcome consume(ChunkExecutionDetails<ExtractJobParameters, ChunkCounts> chunk) {
            if (outcomes.isEmpty()) {
                claims.reducing(chunk.getInstanceId());
            }
            outcomes.putIfAbsent(chunk.getData().index(), chunk.getData());
            return ChunkOutcome.SUCCESS();
        }

        @Override
        public RunOutcome run(StepExecutionDetails<ExtractJobParameters, ChunkCounts> step, IJobDataSink<Report> sink) {
            ExtractJobParameters run = step.getParameters();
            String instance = step.getInstance().getInstanceId();
            claims.reducing(instance);
            try {
                if (runs.cancelled(run)) {
                    return new RunOutcome(0);
                }
                Optional<ExtractResult> done = runs.completed(run);
                if (done.isPresent()) {
                    sink.accept(new Report(run.jobId(), done.get().patientsIncluded()));
                    return new RunOutcome(0);
                }
                ExtractResult result = runner.assemble(runs.contextOf(run), List.copyOf(outcomes.values()),
                        run.directoryPath());
                runs.assembled(run, result);
                sink.accept(new Report(run.jobId(), result.patientsIncluded()));
                return new RunOutcome(outcomes.size());
            } catch (IOException failure) {
                throw new JobExecutionFailedException("Could not assemble the extract's files", failure);
            } finally {
                claims.reduced(instance);
            }
        }

        @Override
        public IReductionStepWorker<ExtractJobParameters, ChunkCounts, Report> newInstance() {
            return new Assemble(runner, runs, claims, new ConcurrentHashMap<>());
        }
    }
}
