package uk.sharedcare.record.consent.enforcement;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Where each page of a stored search starts in the full result, hidden resources included, for the pages
 * {@link VisiblePages} has linked to. Links count visible results only, so that they tell nothing of what was
 * skipped; this table turns such an offset back into a place to read from, on whichever node the next page is
 * asked of.
 */
final class VisibleOffsets {

    static final String TABLE = "SCR_SEARCH_PAGE";
    private static final Duration KEPT_FOR = Duration.ofDays(1);

    /** A visible offset and the position in the full result where it starts. */
    record Position(int visible, int raw) {}

    private final JdbcTemplate jdbc;
    private final Clock clock;

    VisibleOffsets(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        jdbc.execute("create table if not exists " + TABLE + " (SEARCH_ID varchar(100) not null,"
                + " VISIBLE_OFFSET integer not null, RAW_OFFSET integer not null, CREATED timestamp not null,"
                + " primary key (SEARCH_ID, VISIBLE_OFFSET))");
    }

    /** The known page start closest below (or at) the visible offset; the result's start if none is known. */
    Position nearestAtOrBefore(String searchId, int visibleOffset) {
        List<Position> known = jdbc.query("select VISIBLE_OFFSET, RAW_OFFSET from " + TABLE
                        + " where SEARCH_ID = ? and VISIBLE_OFFSET <= ? order by VISIBLE_OFFSET desc limit 1",
                (row, i) -> new Position(row.getInt(1), row.getInt(2)), searchId, visibleOffset);
        return known.isEmpty() ? new Position(0, 0) : known.get(0);
    }

    void remember(String searchId, int visibleOffset, int rawOffset) {
        try {
            jdbc.update("insert into " + TABLE + " (SEARCH_ID, VISIBLE_OFFSET, RAW_OFFSET, CREATED)"
                    + " select ?, ?, ?, ? where not exists (select 1 from " + TABLE
                    + " where SEARCH_ID = ? and VISIBLE_OFFSET = ?)", searchId, visibleOffset, rawOffset,
                    Timestamp.from(clock.instant()), searchId, visibleOffset);
        } catch (DuplicateKeyException rememberedByAConcurrentPage) {
            // the same page start, found by another request for the same page
        }
    }

    @Scheduled(fixedDelay = 3_600_000, initialDelay = 60_000)
    void forgetExpiredSearches() {
        jdbc.update("delete from " + TABLE + " where CREATED < ?", Timestamp.from(clock.instant().minus(KEPT_FOR)));
    }
}
