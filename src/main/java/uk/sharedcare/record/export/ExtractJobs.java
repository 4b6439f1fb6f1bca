package uk.sharedcare.record.export;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

/** The store of Bulk Data extract jobs, a table in the record's own database shared by every node. */
final class ExtractJobs {

    static final String TABLE = "SCR_EXTRACT_JOB";

    private final JdbcTemplate jdbc;

    ExtractJobs(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        jdbc.execute("create table if not exists " + TABLE + " ("
                + "ID varchar(64) primary key, SUBJECT varchar(256) not null, RECIPIENT varchar(32) not null,"
                + " EXTRACT_MONTH varchar(7) not null, REQUEST_URL varchar(4000) not null,"
                + " STATUS varchar(16) not null, PATIENTS_DONE bigint not null, CREATED_AT timestamp not null,"
                + " UPDATED_AT timestamp not null, RESULT varchar(1000000), ERROR varchar(4000))");
        jdbc.execute("alter table " + TABLE + " add column if not exists BATCH2_INSTANCE varchar(100)");
    }

    /** Names the batch2 job instance that does the run. */
    void runsAs(String id, String batch2Instance) {
        jdbc.update("update " + TABLE + " set BATCH2_INSTANCE = ? where ID = ?", batch2Instance, id);
    }

    Optional<String> batch2Instance(String id) {
        return jdbc.queryForList("select BATCH2_INSTANCE from " + TABLE + " where ID = ?", String.class, id)
                .stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** Whether any run is accepted or running, on any node. */
    boolean anyRunning() {
        return !jdbc.queryForList("select ID from " + TABLE + " where STATUS in (?, ?) fetch first 1 rows only",
                String.class, ExtractJob.Status.ACCEPTED.name(), ExtractJob.Status.RUNNING.name()).isEmpty();
    }

    /** Adds a chunk's patients to the run's progress, and says the run is alive. */
    void addProgress(String id, long patients, Instant now) {
        jdbc.update("update " + TABLE + " set STATUS = ?, PATIENTS_DONE = PATIENTS_DONE + ?, UPDATED_AT = ?"
                        + " where ID = ? and STATUS in (?, ?)", ExtractJob.Status.RUNNING.name(), patients,
                Timestamp.from(now), id, ExtractJob.Status.ACCEPTED.name(), ExtractJob.Status.RUNNING.name());
    }

    void create(ExtractJob job, Instant now) {
        jdbc.update("insert into " + TABLE + " (ID, SUBJECT, RECIPIENT, EXTRACT_MONTH, REQUEST_URL, STATUS,"
                        + " PATIENTS_DONE, CREATED_AT, UPDATED_AT) values (?, ?, ?, ?, ?, ?, 0, ?, ?)",
                job.id(), job.subject(), job.recipient(), job.month().toString(), job.requestUrl(),
                job.status().name(), Timestamp.from(now), Timestamp.from(now));
    }

    /**
     * Claims a job id that must be unique (a scheduled month's run): true for the one node that claims it.
     */
    boolean claim(ExtractJob job, Instant now) {
        try {
            create(job, now);
            return true;
        } catch (DuplicateKeyException anotherNodeClaimedIt) {
            return false;
        }
    }

    Optional<ExtractJob> find(String id) {
        List<ExtractJob> found = jdbc.query("select * from " + TABLE + " where ID = ?", ExtractJobs::job, id);
        return found.stream().findFirst();
    }

    void progress(String id, long patientsDone, Instant now) {
        jdbc.update("update " + TABLE + " set STATUS = ?, PATIENTS_DONE = ?, UPDATED_AT = ? where ID = ? and STATUS in (?, ?)",
                ExtractJob.Status.RUNNING.name(), patientsDone, Timestamp.from(now), id,
                ExtractJob.Status.ACCEPTED.name(), ExtractJob.Status.RUNNING.name());
    }

    void complete(String id, String resultJson, Instant now) {
        finish(id, ExtractJob.Status.COMPLETE, resultJson, null, now);
    }

    /** Fails the job unless it has already ended; true if it was still running. */
    boolean fail(String id, String error, Instant now) {
        return finish(id, ExtractJob.Status.FAILED, null, error.length() > 4000 ? error.substring(0, 4000) : error,
                now);
    }

    /** Marks the job cancelled unless it has already ended; true if it was still running. */
    boolean cancel(String id, Instant now) {
        return jdbc.update("update " + TABLE + " set STATUS = ?, UPDATED_AT = ? where ID = ? and STATUS in (?, ?)",
                ExtractJob.Status.CANCELLED.name(), Timestamp.from(now), id, ExtractJob.Status.ACCEPTED.name(),
                ExtractJob.Status.RUNNING.name()) == 1;
    }

    void delete(String id) {
        jdbc.update("update " + TABLE + " set STATUS = ?, RESULT = null where ID = ?",
                ExtractJob.Status.CANCELLED.name(), id);
    }

    /** Jobs whose node stopped hearing from them (it stopped or crashed) are failed, so clients stop waiting. */
    int failAbandoned(Duration after, Instant now) {
        return jdbc.update("update " + TABLE + " set STATUS = ?, ERROR = ?, UPDATED_AT = ? where STATUS in (?, ?)"
                        + " and UPDATED_AT < ?", ExtractJob.Status.FAILED.name(),
                "The server running the extract stopped before it finished; ask for it again", Timestamp.from(now),
                ExtractJob.Status.ACCEPTED.name(), ExtractJob.Status.RUNNING.name(),
                Timestamp.from(now.minus(after)));
    }

    private boolean finish(String id, ExtractJob.Status status, String result, String error, Instant now) {
        return 1 == jdbc.update("update " + TABLE + " set STATUS = ?, RESULT = ?, ERROR = ?, UPDATED_AT = ?"
                        + " where ID = ? and STATUS in (?, ?)", status.name(), result, error, Timestamp.from(now), id,
                ExtractJob.Status.ACCEPTED.name(), ExtractJob.Status.RUNNING.name());
    }

    private static ExtractJob job(ResultSet row, int number) throws SQLException {
        return new ExtractJob(row.getString("ID"), row.getString("SUBJECT"), row.getString("RECIPIENT"),
                YearMonth.parse(row.getString("EXTRACT_MONTH")), row.getString("REQUEST_URL"),
                ExtractJob.Status.valueOf(row.getString("STATUS")), row.getLong("PATIENTS_DONE"),
                row.getTimestamp("CREATED_AT").toInstant(), Optional.ofNullable(row.getString("RESULT")),
                Optional.ofNullable(row.getString("ERROR")));
    }
}
