package uk.sharedcare.record.notify;

import java.time.Duration;

/**
 * When a failed notification is tried again: after {@code first}, then twice as long each time, never longer than
 * {@code longest}, for at most {@code attempts} attempts in all.
 */
record RetrySchedule(Duration first, Duration longest, int attempts) {

    RetrySchedule {
        if (first.isNegative() || first.isZero() || longest.compareTo(first) < 0 || attempts < 1) {
            throw new IllegalArgumentException("A retry schedule needs a first wait, a longest wait at least as long,"
                    + " and at least one attempt");
        }
    }

    /** The wait after the given failed attempt (1 for the first). */
    Duration after(int failedAttempt) {
        Duration wait = first;
        for (int i = 1; i < failedAttempt && wait.compareTo(longest) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(longest) < 0 ? wait : longest;
    }

    boolean isLast(int attempt) {
        return attempt >= attempts;
    }
}
