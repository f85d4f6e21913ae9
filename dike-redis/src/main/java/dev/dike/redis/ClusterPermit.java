package dev.dike.redis;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One permit of a {@link ClusterLimiter}: a lease in Redis, renewed by its instance until
 * {@link #release()}. A permit granted while Redis was unreachable ({@link OnUnavailable#LOCAL}) has no
 * lease yet; the next renewal adds it. Thread-safe: {@link #release()} may be called from any thread,
 * and only its first call has an effect.
 */
public final class ClusterPermit {

    private final ClusterLimiter limiter;
    private final String leaseId;
    private final long fencingToken;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Whether a script that adds this lease to Redis was sent (acquire, or a renewal of a fallback permit). */
    private volatile boolean sent;
    /** Whether the lease expired in Redis before it could be renewed. */
    private volatile boolean lost;

    ClusterPermit(ClusterLimiter limiter, String leaseId, long fencingToken, boolean sent) {
        this.limiter = limiter;
        this.leaseId = leaseId;
        this.fencingToken = fencingToken;
        this.sent = sent;
    }

    /** @return the lease id, unique in the namespace: {@code <instance id>:<sequence>} */
    public String leaseId() {
        return leaseId;
    }

    /**
     * @return the fencing token of the grant: increases with every grant of this limit as long as
     *         Redis keeps its data; 0 for a permit granted without Redis
     */
    public long fencingToken() {
        return fencingToken;
    }

    /** @return whether this permit was granted locally while Redis was unreachable */
    public boolean isFallback() {
        return fencingToken == 0;
    }

    /**
     * Gives the permit back: removes the lease in Redis (one round trip, not awaited) and wakes waiting
     * calls. Only the first call has an effect.
     *
     * @return whether this call released the permit
     */
    public boolean release() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        limiter.released(this);
        return true;
    }

    ClusterLimiter limiter() {
        return limiter;
    }

    boolean isReleased() {
        return released.get();
    }

    boolean wasSent() {
        return sent;
    }

    void markSent() {
        sent = true;
    }

    boolean isLost() {
        return lost;
    }

    void markLost() {
        lost = true;
    }

    @Override
    public String toString() {
        return "ClusterPermit[" + limiter.name() + ", " + leaseId + ", token=" + fencingToken + "]";
    }
}
