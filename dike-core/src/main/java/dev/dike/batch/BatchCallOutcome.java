package dev.dike.batch;

import java.util.Locale;

/** How one caller of a {@link Batcher} ended; the {@code outcome} tag of {@code dike.batch.calls}. */
public enum BatchCallOutcome {

    /** The caller received its slice. */
    SUCCESS,

    /** The batch failed: the operation threw, failed, or returned null or the wrong number of results. */
    FAILURE,

    /** The batch ran past its maximum processing time. */
    TIMEOUT,

    /** The caller cancelled its future. */
    CANCELLED,

    /** The call was refused before joining a batch: invalid arguments or a closed batcher. */
    REJECTED;

    /**
     * Returns the metric tag value, e.g. {@code success}.
     *
     * @return the lower-case name
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
