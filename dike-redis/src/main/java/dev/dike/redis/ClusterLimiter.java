package dev.dike.redis;

import dev.dike.context.ContextCarrier;
import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.time.DelayScheduler;

import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A limit of calls in flight shared by every instance of a {@link ClusterLimits} namespace: at most
 * {@link #limit()} leases exist in Redis at once, whichever instances hold them. Created by
 * {@link ClusterLimits#limiter}. The same contract as {@code dev.dike.limit.JobLimiter}, where a round trip
 * allows: a call that finds no free permit is rejected with {@link TooManyCallsException} at once, or after
 * waiting up to {@link #maxWait()}; every outcome is reported to the {@link LimitListener}.
 *
 * <p><b>Round trips.</b> An acquisition is one {@code acquire.lua} round trip, a release one
 * {@code release.lua} round trip that the caller does not wait for; leases are renewed for all limits of
 * the instance together ({@link LeaseRenewer}). Calls waiting on this instance are granted in FIFO order,
 * several per round trip, when a release anywhere in the cluster publishes a wake-up
 * ({@link WakeUpChannel}), when a call of this instance releases, and on every renewal (for leases that
 * expired). Across instances there is no queue: a new call on one instance may overtake a call waiting
 * on another.
 *
 * <p><b>Threads.</b> Nothing here blocks except {@link #call(Callable)}, which waits on its own caller's
 * thread. Replies arrive on a Lettuce event-loop thread, which only counts, and hands the grant or the
 * rejection to the executor: an asynchronous caller's continuation, and so the operation, never runs on
 * the event loop. Timeouts of waiting calls run on the {@link DelayScheduler}. No lock is taken: the
 * waiting queue is lock-free, at most one acquisition for waiting calls is in flight ({@code draining}),
 * and wake-ups that arrive meanwhile make it run again.
 *
 * <p><b>Permits.</b> A permit is released exactly once on every path: by the holder, after the
 * operation of {@link #executeAsync} completes, or here when its caller gave up (cancelled, timed out,
 * executor refused) before the grant reached it. A grant that arrives after its round trip timed out is
 * released at once. An instance that dies stops renewing, and its leases expire within the lease time.
 *
 * <p><b>Redis unreachable.</b> See {@link ConnectionState} and {@link OnUnavailable}: calls get a local
 * permit, up to {@code ceil(limit / instances alive)} on this instance, or a {@link ClusterUnavailableException}.
 *
 * <p><b>Context.</b> With a {@link ContextCarrier}, every call captures its caller's context when it
 * starts, since its grant or rejection always arrives on another thread: the caller's future is completed
 * in that context on the executor (so the operation of {@link #executeAsync} starts in it). The captured
 * context hears {@link ContextCarrier.Captured#waiting()} before the call joins the queue, and
 * {@link ContextCarrier.Captured#done(Throwable)} once, from whoever decided the call: the grant, the
 * rejection, the expiry, or the cancellation of a waiting call (a call cancelled before it could wait is
 * reported by the thread that finds it so).
 */
public final class ClusterLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLimiter.class);
    /** At most this many waiting calls are granted by one round trip. */
    private static final int MAX_GRANTS_PER_ROUND_TRIP = 16;

    private final String name;
    private final ClusterLimits fleet;
    /** The limit's keys, built once. */
    private final KeyLayout.LimitKeys keys;
    private final Duration maxWait;
    private final long maxWaitNanos;
    private final LimitListener listener;
    /** The limit this limiter was created with, which a later request for the name must repeat. */
    private final int requestedLimit;
    /** The limit this instance asks for; the cluster's limit in Redis wins (first writer or actuator). */
    private volatile int configuredLimit;
    /** {@link #configuredLimit} as the acquire script's argument, built when it changes. */
    private volatile String configuredLimitArg;
    /** The cluster limit as last seen in a reply. */
    private volatile int limit;
    /** The leases in force cluster-wide as last seen in a reply. */
    private volatile int clusterInUse;
    private final AtomicBoolean warnedAboutLimit = new AtomicBoolean();
    /** The permits this instance holds, by lease id; the renewer renews these. */
    private final ConcurrentHashMap<String, ClusterPermit> held = new ConcurrentHashMap<>();
    /** Permits held by this instance (leases and fallback permits); bounded by the share in fallback. */
    private final AtomicInteger heldCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    /** Calls waiting and not yet granted, expired or cancelled; the queue may still hold dead ones. */
    private final AtomicInteger waitingCalls = new AtomicInteger();
    /** Whether an acquisition for waiting calls is in flight: only its owner polls granted waiters. */
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Counts wake-ups, so that one arriving while an acquisition is in flight is not lost. */
    private final AtomicLong wakeUps = new AtomicLong();
    private final LongAdder permitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    /**
     * Tests only: given the call's future right after it started waiting, where a cancel may strike before it
     * is queued (possibly still inside {@link #acquire()}, when the reply was there before its callback).
     */
    volatile Consumer<CompletableFuture<ClusterPermit>> afterStartWaiting;
    /** Captures each call's context; {@code null} when none was configured. */
    private final ContextCarrier contextCarrier;

    ClusterLimiter(ClusterLimits fleet, String name, int limit, Duration maxWait, LimitListener listener,
            ContextCarrier contextCarrier) {
        this.fleet = fleet;
        this.name = name;
        this.keys = fleet.keys().of(name);
        this.requestedLimit = limit;
        this.configuredLimit = limit;
        this.configuredLimitArg = Integer.toString(limit);
        this.limit = limit;
        this.maxWait = maxWait;
        this.maxWaitNanos = saturatedNanos(maxWait);
        this.listener = listener;
        this.contextCarrier = contextCarrier;
    }

    /**
     * Asks for a permit. Never blocks and never throws.
     *
     * @return a future completed with the permit (release it exactly once), or failed with
     *         {@link TooManyCallsException}; completed on the executor. Cancelling it withdraws the call;
     *         a permit granted meanwhile is released
     */
    public CompletableFuture<ClusterPermit> acquire() {
        Waiter waiter = new Waiter(false, capture());
        start(waiter);
        return waiter;
    }

    /**
     * Runs an asynchronous operation under a permit held until its result completes. The operation starts
     * on the executor (never on a Redis client thread); this method never throws.
     *
     * @param operation starts the operation; called only once a permit is held
     * @param <T>       the result type
     * @return a future completed with the operation's result or failure, or failed with
     *         {@link TooManyCallsException}; the permit is released before it completes. Cancelling it
     *         withdraws the call or cancels the operation's future
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<? extends T>> operation) {
        Objects.requireNonNull(operation, "operation");
        AsyncCall<T> call = new AsyncCall<>(operation);
        call.waiter = acquire();
        call.waiter.whenComplete(call);
        return call;
    }

    /**
     * Runs a synchronous operation under a permit, released when it returns or throws. The calling
     * thread waits for the round trip, and for a permit up to {@link #maxWait()}.
     *
     * @param operation the operation
     * @param <T>       the result type
     * @return the operation's result
     * @throws TooManyCallsException when no permit could be had
     * @throws InterruptedException  when the thread was interrupted while waiting
     * @throws Exception             whatever the operation throws
     */
    public <T> T call(Callable<? extends T> operation) throws Exception {
        Objects.requireNonNull(operation, "operation");
        Waiter waiter = new Waiter(true, capture());
        start(waiter);
        ClusterPermit permit;
        try {
            permit = waiter.get();
        } catch (InterruptedException e) {
            if (!waiter.cancel(false) && !waiter.isCompletedExceptionally()) {
                waiter.join().release();
            }
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause;
        }
        try {
            return operation.call();
        } finally {
            permit.release();
        }
    }

    /**
     * Changes the cluster limit for every instance (one round trip); raising it wakes waiting calls on
     * every instance, lowering it lets the operations in flight finish.
     *
     * @param newLimit the new limit, at least 0
     * @return a future completed once Redis has the new limit
     * @throws IllegalArgumentException if {@code newLimit} is negative
     */
    public CompletableFuture<Void> setLimit(int newLimit) {
        if (newLimit < 0) {
            throw new IllegalArgumentException("Invalid limit '" + newLimit + "' for " + name + ": must be at least 0");
        }
        LeaseTable table = fleet.table();
        if (table == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "Cannot change the cluster limit of " + name + ": Redis is not connected"));
        }
        return table.setLimit(keys, newLimit).thenAccept(old -> {
            configuredLimit = newLimit;
            configuredLimitArg = Integer.toString(newLimit);
            int previous = limit;
            limit = newLimit;
            if (previous != newLimit) {
                listener.onLimitChanged(name, previous, newLimit);
            }
        });
    }

    /** @return the name, shared by every instance of the namespace */
    public String name() {
        return name;
    }

    /** @return the cluster limit as last seen in a reply from Redis (initially the configured one) */
    public int limit() {
        return limit;
    }

    /** @return the limit this instance was configured with, or last set through {@link #setLimit} */
    public int configuredLimit() {
        return configuredLimit;
    }

    /** @return how long a call may wait for a permit; zero means reject at once */
    public Duration maxWait() {
        return maxWait;
    }

    /** @return the permits this instance holds now */
    public int inFlight() {
        return heldCount.get();
    }

    /** @return the leases in force across the cluster, as last seen in a reply from Redis */
    public int clusterInFlight() {
        return clusterInUse;
    }

    /** @return the permits free across the cluster as last seen, never negative */
    public int available() {
        return Math.max(0, limit - clusterInUse);
    }

    /** @return the calls of this instance waiting for a permit now */
    public int waiting() {
        return waitingCalls.get();
    }

    /** @return the calls of this instance that got a permit since creation */
    public long permittedCount() {
        return permitted.sum();
    }

    /** @return the calls of this instance rejected since creation, at once or after waiting */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** @return the namespace's shared state: connection, lease time, instances alive */
    public ClusterLimits cluster() {
        return fleet;
    }

    // ---- admission --------------------------------------------------------------------------------------

    /** The calling thread's context, or {@code null} without a carrier. */
    private ContextCarrier.Captured capture() {
        ContextCarrier carrier = contextCarrier;
        return carrier == null ? null : carrier.capture();
    }

    private void start(Waiter waiter) {
        if (waitingCalls.get() != 0) {
            // Calls waiting on this instance are served first: a new call queues behind them.
            notFree(waiter, wakeUps.get() - 1);
        } else {
            attempt(waiter);
        }
    }

    /** One acquisition for a new call, in whatever mode the connection is in. */
    private void attempt(Waiter waiter) {
        long seen = wakeUps.get();
        LeaseTable table = fleet.table();
        if (table != null && fleet.state().available()) {
            String[] leaseIds = { fleet.newLeaseId() };
            table.acquire(keys, configuredLimitArg, maxWaitNanos != 0L, leaseIds, late -> releaseLate(late, leaseIds))
                    .whenComplete((grant, failure) -> {
                        if (failure != null) {
                            attempt(waiter); // the round trip marked Redis unavailable: now in fallback
                            return;
                        }
                        observe(grant);
                        if (grant.granted() == 1) {
                            grantTo(waiter, newPermit(leaseIds[0], grant.tokens()[0]));
                        } else {
                            notFree(waiter, seen);
                        }
                    });
        } else if (fleet.onUnavailable() == OnUnavailable.LOCAL) {
            if (tryTakeLocal()) {
                grantTo(waiter, newFallbackPermit());
            } else {
                notFree(waiter, seen);
            }
        } else {
            reject(waiter, unavailable(), 0L);
        }
    }

    /** No permit was free for a new call: reject it or let it wait. */
    private void notFree(Waiter waiter, long seenWakeUps) {
        if (maxWaitNanos == 0L) {
            reject(waiter, tooManyCalls(), 0L);
            return;
        }
        // Before the state says waiting: a cancel from then on reports the end, after this. Counted before it
        // can be withdrawn: a cancel right after startWaiting() decrements, and the count must never read below zero.
        waiter.aboutToWait();
        waitingCalls.incrementAndGet();
        if (!waiter.startWaiting()) {
            waitingCalls.decrementAndGet();
            waiter.ended(gaveUp()); // cancelled meanwhile
            return;
        }
        Consumer<CompletableFuture<ClusterPermit>> hook = afterStartWaiting;
        if (hook != null) {
            hook.accept(waiter);
        }
        waiter.enqueuedNanos = fleet.scheduler().nanoTime();
        queue.offer(waiter);
        waiter.timeout = fleet.scheduler().schedule(() -> expire(waiter), maxWaitNanos, TimeUnit.NANOSECONDS);
        if (!waiter.isWaiting()) {
            waiter.cancelTimeout(); // granted or cancelled before the timeout was armed
        }
        if (wakeUps.get() != seenWakeUps || fleet.state().available() == false) {
            drain(); // a permit was freed while this call's acquisition was in flight
        }
    }

    /** A permit may be free: grant waiting calls. Any thread; never blocks. */
    void drain() {
        wakeUps.incrementAndGet();
        if (waitingCalls.get() != 0 && draining.compareAndSet(false, true)) {
            drainStep();
        }
    }

    /** Runs while owning {@code draining}; gives it up, or passes it on to the reply's callback. */
    private void drainStep() {
        while (true) {
            long seen = wakeUps.get();
            int wanted = Math.min(waitingCalls.get(), MAX_GRANTS_PER_ROUND_TRIP);
            if (wanted > 0) {
                LeaseTable table = fleet.table();
                if (table != null && fleet.state().available()) {
                    drainFromRedis(table, wanted, seen);
                    return; // the reply continues the drain
                }
                if (fleet.onUnavailable() == OnUnavailable.LOCAL) {
                    while (waitingCalls.get() != 0 && tryTakeLocal()) {
                        Waiter next = pollWaiting();
                        if (next == null) {
                            heldCount.decrementAndGet();
                            break;
                        }
                        grantTo(next, newFallbackPermit());
                    }
                } else {
                    for (Waiter next = pollWaiting(); next != null; next = pollWaiting()) {
                        reject(next, unavailable(), fleet.scheduler().nanoTime() - next.enqueuedNanos);
                    }
                }
            }
            draining.set(false);
            if (wakeUps.get() == seen || waitingCalls.get() == 0 || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void drainFromRedis(LeaseTable table, int wanted, long seen) {
        String[] ids = new String[wanted];
        for (int i = 0; i < wanted; i++) {
            ids[i] = fleet.newLeaseId();
        }
        table.acquire(keys, configuredLimitArg, true, ids, late -> releaseLate(late, ids))
                .whenComplete((grant, failure) -> {
                    boolean more;
                    if (failure != null) {
                        more = true; // the round trip marked Redis unavailable: serve them in fallback
                    } else {
                        observe(grant);
                        for (int i = 0; i < grant.granted(); i++) {
                            ClusterPermit permit = newPermit(ids[i], grant.tokens()[i]);
                            Waiter next = pollWaiting();
                            if (next == null) {
                                permit.release(); // the call timed out or withdrew meanwhile
                            } else {
                                grantTo(next, permit);
                            }
                        }
                        more = grant.granted() == wanted && waitingCalls.get() != 0;
                    }
                    if (more) {
                        drainStep();
                        return;
                    }
                    draining.set(false);
                    if (wakeUps.get() != seen && waitingCalls.get() != 0 && draining.compareAndSet(false, true)) {
                        drainStep();
                    }
                });
    }

    /** Takes the oldest call still waiting off the queue, or returns {@code null}. */
    private Waiter pollWaiting() {
        for (Waiter next = queue.poll(); next != null; next = queue.poll()) {
            if (next.claim()) {
                waitingCalls.decrementAndGet();
                next.cancelTimeout();
                return next;
            }
        }
        return null;
    }

    private boolean tryTakeLocal() {
        if (limit == 0) {
            return false;
        }
        int share = ceilDiv(limit, fleet.instancesAlive()); // at least 1: alive is never below 1
        while (true) {
            int current = heldCount.get();
            if (current >= share) {
                return false;
            }
            if (heldCount.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private ClusterPermit newPermit(String leaseId, long token) {
        heldCount.incrementAndGet();
        ClusterPermit permit = new ClusterPermit(this, leaseId, token, true);
        held.put(leaseId, permit);
        return permit;
    }

    /** A permit whose {@code heldCount} was taken by {@link #tryTakeLocal()}. */
    private ClusterPermit newFallbackPermit() {
        ClusterPermit permit = new ClusterPermit(this, fleet.newLeaseId(), 0L, false);
        held.put(permit.leaseId(), permit);
        return permit;
    }

    /** Hands a permit to a call (claimed or new), or releases it if the call withdrew. */
    private void grantTo(Waiter waiter, ClusterPermit permit) {
        if (!waiter.grant()) {
            permit.release();
            waiter.ended(gaveUp()); // cancelled before it could wait: only this thread knows
            return;
        }
        permitted.increment();
        listener.onPermitted(name, waiter.enqueuedNanos == 0L ? 0L : fleet.scheduler().nanoTime() - waiter.enqueuedNanos);
        waiter.ended(null);
        waiter.deliver(permit);
    }

    private void reject(Waiter waiter, TooManyCallsException rejection, long waitNanos) {
        if (!waiter.grant()) {
            waiter.ended(gaveUp()); // cancelled before it could wait: only this thread knows
            return;
        }
        rejected.increment();
        listener.onRejected(name, waitNanos);
        waiter.ended(rejection);
        waiter.deliverFailure(rejection);
    }

    /** Timer task: rejects the call if it is still waiting. */
    private void expire(Waiter waiter) {
        if (!waiter.claim()) {
            return;
        }
        waitingCalls.decrementAndGet();
        queue.remove(waiter);
        rejected.increment();
        listener.onRejected(name, fleet.scheduler().nanoTime() - waiter.enqueuedNanos);
        TooManyCallsException rejection = tooManyCalls();
        waiter.ended(rejection);
        waiter.deliverFailure(rejection);
    }

    /** A grant whose round trip had timed out: nobody waits for it, give the leases back. */
    private void releaseLate(AcquireScript.Grant grant, String[] ids) {
        for (int i = 0; i < grant.granted(); i++) {
            newPermit(ids[i], grant.tokens()[i]).release();
        }
    }

    /** Called once per permit by {@link ClusterPermit#release()}. */
    void released(ClusterPermit permit) {
        held.remove(permit.leaseId());
        heldCount.decrementAndGet();
        if (permit.wasSent() && !permit.isLost()) {
            releaseInRedis(permit);
        }
        if (waitingCalls.get() != 0) {
            drain();
        }
    }

    void releaseInRedis(ClusterPermit permit) {
        LeaseTable table = fleet.table();
        if (table != null) {
            // Not awaited: the next command on the connection runs after it. A failure (which marks Redis
            // unavailable) leaves the lease to expire within the lease time.
            table.release(keys, permit.leaseId());
        }
    }

    private void observe(AcquireScript.Grant grant) {
        clusterInUse = grant.inUse();
        seeLimit(grant.limit());
        String known = fleet.renewer().epoch();
        if (known != null && !known.equals(grant.epoch())) {
            fleet.renewer().renewSoon(); // Redis lost its data: re-assert every lease at once
        }
    }

    void renewed(RenewScript.LimitState state) {
        clusterInUse = state.inUse();
        seeLimit(state.limit());
        int lost = 0;
        for (String id : state.lost()) {
            ClusterPermit permit = held.get(id);
            // A permit released while the renewal was in flight is no longer held: not lost, just gone.
            if (permit != null && !permit.isReleased()) {
                permit.markLost();
                lost++;
            }
        }
        if (lost > 0) {
            LOG.warn("{} leases of cluster limit '{}' expired before they could be renewed (this instance was cut "
                    + "off or paused for longer than the lease time); their permits may be held elsewhere now",
                    lost, name);
            fleet.listener().onLeasesLost(name, lost);
        }
    }

    private void seeLimit(int clusterLimit) {
        int previous = limit;
        if (previous != clusterLimit) {
            limit = clusterLimit;
            listener.onLimitChanged(name, previous, clusterLimit);
        }
        if (clusterLimit != configuredLimit && warnedAboutLimit.compareAndSet(false, true)) {
            LOG.warn("Cluster limit '{}' is {} in Redis but this instance is configured with {}: the value in Redis "
                    + "applies to every instance (set by the first instance or the actuator)", name, clusterLimit,
                    configuredLimit);
        }
    }

    int requestedLimit() {
        return requestedLimit;
    }

    int knownLimit() {
        return limit;
    }

    Collection<ClusterPermit> heldPermits() {
        return held.values();
    }

    private TooManyCallsException tooManyCalls() {
        return new TooManyCallsException(name, limit);
    }

    private TooManyCallsException unavailable() {
        return new ClusterUnavailableException(name, limit);
    }

    private CancellationException gaveUp() {
        return new CancellationException("Gave up waiting for a permit of cluster limiter " + name);
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return "ClusterLimiter[" + name + ", limit=" + limit + ", maxWait=" + maxWait + ", namespace="
                + fleet.namespace() + "]";
    }

    /**
     * One call's wait for a permit, and the future its caller holds. States: new (its first acquisition is
     * in flight), waiting (queued, timeout armed), done (granted or rejected, delivery under way or
     * finished), cancelled. Exactly one of grant, rejection, expiry and cancellation wins the state.
     */
    private final class Waiter extends CompletableFuture<ClusterPermit> {

        private static final int NEW = 0;
        private static final int WAITING = 1;
        private static final int DONE = 2;
        private static final int CANCELLED = 3;

        private final AtomicInteger state = new AtomicInteger(NEW);
        /** Complete on the thread that grants (a blocked {@link #call} caller), instead of the executor. */
        private final boolean inline;
        /** The caller's context, captured when the call started; {@code null} without a carrier. */
        private final ContextCarrier.Captured context;
        volatile long enqueuedNanos;
        volatile DelayScheduler.ScheduledTask timeout;

        Waiter(boolean inline, ContextCarrier.Captured context) {
            this.inline = inline;
            this.context = context;
        }

        /** Tells the captured context that the call is about to wait; before {@link #startWaiting()}. */
        void aboutToWait() {
            if (context != null) {
                context.waiting();
            }
        }

        /** Tells the captured context that the call was decided; once, by whoever decided it. */
        void ended(Throwable failure) {
            if (context != null) {
                context.done(failure);
            }
        }

        /** Runs {@code completion} in the caller's context, if one was captured. */
        private void inCallerContext(Runnable completion) {
            if (context == null) {
                completion.run();
                return;
            }
            try (ContextCarrier.Scope scope = context.open()) {
                completion.run();
            }
        }

        boolean startWaiting() {
            return state.compareAndSet(NEW, WAITING);
        }

        boolean isWaiting() {
            return state.get() == WAITING;
        }

        /** Takes a waiting call off the queue for a grant or an expiry. */
        boolean claim() {
            return state.compareAndSet(WAITING, DONE);
        }

        /** Decides a new call, or confirms a claimed one; false if it was cancelled. */
        boolean grant() {
            return state.get() == DONE || state.compareAndSet(NEW, DONE);
        }

        void cancelTimeout() {
            DelayScheduler.ScheduledTask task = timeout;
            if (task != null) {
                task.cancel();
            }
        }

        void deliver(ClusterPermit permit) {
            if (inline) {
                if (!super.complete(permit)) {
                    permit.release();
                }
                return;
            }
            try {
                fleet.executor().execute(() -> inCallerContext(() -> {
                    if (!super.complete(permit)) {
                        permit.release(); // cancelled while the grant was on its way
                    }
                }));
            } catch (RuntimeException | Error refused) {
                permit.release();
                inCallerContext(() -> super.completeExceptionally(refused));
            }
        }

        void deliverFailure(TooManyCallsException rejection) {
            if (inline) {
                super.completeExceptionally(rejection);
                return;
            }
            try {
                fleet.executor().execute(() -> inCallerContext(() -> super.completeExceptionally(rejection)));
            } catch (RuntimeException | Error refused) {
                inCallerContext(() -> super.completeExceptionally(rejection));
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            while (true) {
                int current = state.get();
                if (current == DONE || current == CANCELLED) {
                    // Granted: the delivery finds the future cancelled and releases the permit.
                    return super.cancel(mayInterruptIfRunning);
                }
                if (state.compareAndSet(current, CANCELLED)) {
                    if (current == WAITING) {
                        waitingCalls.decrementAndGet();
                        queue.remove(this);
                        cancelTimeout();
                        ended(gaveUp());
                    }
                    // A call cancelled while new: the thread that settles its round trip reports the end.
                    return super.cancel(mayInterruptIfRunning);
                }
            }
        }
    }

    /** One {@link #executeAsync} call: starts the operation once the permit arrived, releases it after. */
    private static final class AsyncCall<T> extends CompletableFuture<T> implements BiConsumer<ClusterPermit, Throwable> {

        private final Supplier<? extends CompletionStage<? extends T>> operation;
        volatile CompletableFuture<ClusterPermit> waiter;
        private volatile CompletableFuture<? extends T> running;

        AsyncCall(Supplier<? extends CompletionStage<? extends T>> operation) {
            this.operation = operation;
        }

        @Override
        public void accept(ClusterPermit permit, Throwable failure) {
            if (failure != null) {
                if (!(failure instanceof CancellationException)) {
                    completeExceptionally(unwrap(failure));
                }
                return;
            }
            if (isDone()) {
                permit.release();
                return;
            }
            CompletionStage<? extends T> stage;
            try {
                stage = operation.get();
            } catch (Throwable thrown) {
                permit.release();
                completeExceptionally(unwrap(thrown));
                return;
            }
            if (stage == null) {
                permit.release();
                completeExceptionally(new NullPointerException("The operation of a cluster limit returned null "
                        + "instead of a CompletionStage"));
                return;
            }
            CompletableFuture<? extends T> future = stage.toCompletableFuture();
            running = future;
            future.whenComplete((value, error) -> {
                permit.release();
                if (error != null) {
                    completeExceptionally(unwrap(error));
                } else {
                    complete(value);
                }
            });
            if (isCancelled()) {
                future.cancel(false);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            CompletableFuture<ClusterPermit> wait = waiter;
            if (wait != null) {
                wait.cancel(false);
            }
            CompletableFuture<? extends T> started = running;
            if (started != null) {
                started.cancel(mayInterruptIfRunning);
            }
            return cancelled;
        }

        private static Throwable unwrap(Throwable failure) {
            return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        }
    }
}
