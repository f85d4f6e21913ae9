package dev.dike.spring.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations dike makes, with their names and keys; the reference for {@code docs/tracing.md}.
 * Low-cardinality keys (instance name, outcome, flush reason) also tag the timers a
 * {@code MeterObservationHandler} makes; high-cardinality keys (bounded per call) only go to spans.
 */
public enum DikeObservationDocumentation implements ObservationDocumentation {

    /**
     * A call through a {@code @Retry} instance, from its start until its last attempt ended: the
     * attempts' own spans are its children, and every retry is an event {@code dike.retry.scheduled}
     * on it.
     */
    RETRY {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultRetryObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] {LowCardinalityKeyNames.NAME, LowCardinalityKeyNames.OUTCOME};
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeyNames.ATTEMPTS};
        }

        @Override
        public Observation.Event[] getEvents() {
            return new Observation.Event[] {Events.RETRY_SCHEDULED};
        }
    },

    /**
     * A call's wait for a permit of a {@code @LimitJobs} instance; only calls that waited have one.
     * It ends when the call got its permit, was rejected or gave up; the operation that follows is a
     * child of the caller, not of the wait.
     */
    LIMIT {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultLimitObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] {LowCardinalityKeyNames.NAME, LowCardinalityKeyNames.OUTCOME};
        }
    },

    /**
     * One batch of a {@code @Batch} instance, from the call of its operation until its result
     * arrived. It has no parent: its span links to the span of every caller in the batch. The bulk
     * call made by the operation is its child.
     */
    BATCH {
        @Override
        public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
            return DefaultBatchObservationConvention.class;
        }

        @Override
        public KeyName[] getLowCardinalityKeyNames() {
            return new KeyName[] {LowCardinalityKeyNames.NAME, LowCardinalityKeyNames.OUTCOME,
                    LowCardinalityKeyNames.FLUSH_REASON};
        }

        @Override
        public KeyName[] getHighCardinalityKeyNames() {
            return new KeyName[] {HighCardinalityKeyNames.BATCH_SIZE};
        }
    };

    /** Keys with a small, fixed set of values. */
    public enum LowCardinalityKeyNames implements KeyName {

        /** The instance name: an annotation's {@code name}, by default {@code <SimpleClassName>.<methodName>}. */
        NAME {
            @Override
            public String asString() {
                return "dike.name";
            }
        },

        /**
         * How it ended. Retry: the values of the {@code outcome} tag of {@code dike.retry.calls}
         * ({@code budget_exhausted} included), {@code retry_after_too_long} or {@code cancelled}.
         * Limit: {@code permitted}, {@code rejected} or {@code cancelled}. Batch: {@code success},
         * {@code failure} or {@code timeout}. {@code unknown} while it runs, which is what the
         * long-task timers of a {@code MeterObservationHandler} are tagged with.
         */
        OUTCOME {
            @Override
            public String asString() {
                return "dike.outcome";
            }
        },

        /** Why the batch was flushed: {@code size}, {@code time} or {@code close}. */
        FLUSH_REASON {
            @Override
            public String asString() {
                return "dike.batch.flush.reason";
            }
        }
    }

    /** Keys whose values are bounded per call but not overall: span attributes only. */
    public enum HighCardinalityKeyNames implements KeyName {

        /** The number of attempts the retried call made. */
        ATTEMPTS {
            @Override
            public String asString() {
                return "dike.retry.attempts";
            }
        },

        /** The number of rows the batch sent to its operation. */
        BATCH_SIZE {
            @Override
            public String asString() {
                return "dike.batch.size";
            }
        }
    }

    /** Events recorded on observations. */
    public enum Events implements Observation.Event {

        /**
         * An attempt failed and another one is scheduled; one per {@code Retrying in ...} WARN line.
         * The span event is {@code dike.retry.scheduled}; a {@code MeterObservationHandler} counts it
         * in {@code dike.retry.scheduled} too (the observation's name, a dot, the event's name).
         */
        RETRY_SCHEDULED {
            @Override
            public String getName() {
                return "scheduled";
            }

            @Override
            public String getContextualName() {
                return "dike.retry.scheduled";
            }
        }
    }
}
