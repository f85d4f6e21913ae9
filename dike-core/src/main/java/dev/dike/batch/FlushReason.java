package dev.dike.batch;

import java.util.Locale;

/** Why a batch was flushed; the {@code reason} tag of {@code dike.batch.flushes}. */
public enum FlushReason {

    /** Its rows reached the target batch size. */
    SIZE,

    /** The maximum waiting time since its first call elapsed. */
    TIME,

    /** The batcher was closed. */
    CLOSE;

    /**
     * Returns the metric tag value, e.g. {@code size}.
     *
     * @return the lower-case name
     */
    public String tagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
