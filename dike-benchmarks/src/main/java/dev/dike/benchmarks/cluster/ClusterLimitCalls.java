package dev.dike.benchmarks.cluster;

/** The measured operations of {@code ClusterLimitBenchmark}, reading the package-private context. */
public final class ClusterLimitCalls {

    private static final String KEY = "benchmark:floor";

    private ClusterLimitCalls() {
    }

    /** @return the counter after INCR (the DECR's result is discarded) */
    public static long incrDecr(ClusterLimitContext c) {
        long value = c.floor.incr(KEY);
        c.floor.decr(KEY);
        return value;
    }

    /** @return the result of one call through {@code @LimitJobs} with {@code scope: cluster} */
    public static Integer cluster(ClusterLimitContext c, int x) {
        return c.cluster.clusterCall(x).join();
    }

    /** @return the result of one call through a local {@code @LimitJobs} */
    public static Integer local(ClusterLimitContext c, int x) {
        return c.local.localCall(x).join();
    }
}
