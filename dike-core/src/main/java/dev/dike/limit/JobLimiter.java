package dev.dike.limit;

import dev.dike.context.ContextCarrier;
import dev.dike.time.DelayScheduler;
import dev.dike.time.DelayScheduler.ScheduledTask;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Allows at most {@link #limit()} operations in flight at once and rejects the others with
 * {@link TooManyCallsException}, at once or after waiting up to {@link #maxWait()} in FIFO order.
 * Thread-safe and lock-free: only {@link #setLimit}, new calls that overlap it, and new calls while
 * more permits are held than a lowered limit allows, take a lock. Taking and releasing a permit
 * allocates nothing. Permits are counted per core, so calls on different cores do not contend for
 * one counter, and the limit stays exact: a call is rejected only when every permit was held at one
 * instant.
 *
 * <p>A permit is held until the operation's result completes, not until the operation returns, and
 * is released exactly once on every path: success, failure, synchronous throw, cancellation of the
 * returned future. It is released before the caller sees the result, so a caller that starts the
 * next call from the completion of the previous one is never rejected by itself.
 *
 * <p>With a positive {@code maxWait}, calls that find no free permit wait in one FIFO queue, and a
 * new call never overtakes a waiting one. Asynchronous calls wait without blocking any thread: a
 * freed permit is handed to the oldest waiting call, whose operation then starts on the executor;
 * the timeout runs on the {@link DelayScheduler} and the rejection is delivered on the executor.
 * Only {@link #call(Callable)} blocks, its own caller's thread.
 *
 * <p>A waiting call whose timeout the {@link DelayScheduler} refuses to schedule (e.g. it was shut
 * down) leaves the queue at once and fails with a {@link RejectedExecutionException} that names the
 * limiter and carries the scheduler's exception; it never gets a permit later.
 *
 * <p>Every acquisition is counted ({@link #permittedCount()}, {@link #rejectedCount()}) and reported
 * to the {@link LimitListener}; a listener that throws anything, {@code Error}s included, is logged
 * and ignored. The end of every call that held a permit, with its duration and outcome, goes to the
 * {@link CompletionListener}, if any.
 *
 * <p>With a {@link ContextCarrier}, a call that must wait captures its caller's context as it joins
 * the queue; the operation started after a hand-over and the rejection after a timeout run in it, and
 * the carrier hears when the wait ended (granted, rejected or given up).
 *
 * <p>For {@code Mono} and {@code Flux} see {@link ReactorLimit}.
 */
public final class JobLimiter {

    private final String name;
    private final Duration maxWait;
    private final long maxWaitNanos;
    private final DelayScheduler scheduler;
    private final Executor executor;
    private final LimitListener listener;
    /**
     * Hears the end of each call that held a permit; {@code null} when none, and then no clock is read
     * for it. It may time only some calls ({@link CompletionListener#timeCall()}).
     */
    private final CompletionListener completions;
    /** Captures a waiting caller's context; {@code null} when none was configured. Never read on the fast path. */
    private final ContextCarrier contextCarrier;
    /** The limit, and the permits held now, which may exceed it for a while after it was lowered. */
    private final Permits permits;
    /** Calls waiting and not yet granted, timed out or withdrawn; the queue may still hold dead ones. */
    private final AtomicInteger waitingCalls = new AtomicInteger();
    private final ConcurrentLinkedQueue<Ticket> queue = new ConcurrentLinkedQueue<>();
    /** Serializes {@link #drain()}: one thread grants at a time, in queue order, without recursion. */
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final LongAdder permitted = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private JobLimiter(Builder builder) {
        this.name = builder.name;
        this.permits = new Permits(builder.limit, builder.stripes);
        this.maxWait = builder.maxWait;
        this.maxWaitNanos = saturatedNanos(builder.maxWait);
        this.scheduler = builder.scheduler;
        this.executor = builder.executor;
        this.listener = GuardedListener.guard(builder.listener);
        this.completions = builder.completions == null ? null : GuardedListener.guard(builder.name, builder.completions);
        this.contextCarrier = builder.contextCarrier;
    }

    /**
     * Creates a limiter that rejects at once when full.
     *
     * @param name  the name used in messages and metrics
     * @param limit the maximum number of operations in flight, at least 0
     * @return the limiter
     */
    public static JobLimiter of(String name, int limit) {
        return builder(name).limit(limit).build();
    }

    /**
     * Starts a builder.
     *
     * @param name the name used in messages and metrics
     * @return a new builder
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /**
     * Takes a permit if one is free at once and no call is waiting for one (waiting calls are
     * served first), without waiting and regardless of {@link #maxWait()}. Allocation-free. The
     * outcome counts in {@link #permittedCount()} or {@link #rejectedCount()} and is reported to the
     * listener like any other call's. Every {@code true} must be followed by exactly one
     * {@link #release()}.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire() {
        if (acquireNow()) {
            return true;
        }
        countRejection(0L);
        return false;
    }

    /**
     * Gives back a permit taken by {@link #tryAcquire()}; hands it to the oldest waiter, if any.
     *
     * <p>A release without a permit is a bug in the caller: it throws and changes nothing.
     *
     * @throws IllegalStateException if no permit is held
     */
    public void release() {
        if (!permits.giveBack()) {
            throw new IllegalStateException("release() without a permit held on limiter " + name);
        }
        // Publish-then-check: a waiter publishes itself and then checks the permits, so one of us sees the other.
        if (waitingCalls.get() != 0) {
            drain();
        }
    }

    /**
     * Runs a synchronous operation under a permit, released when it returns or throws. When no
     * permit is free, the calling thread waits up to {@link #maxWait()} for one, in FIFO order with
     * every other waiting call; with a zero {@code maxWait} it is rejected at once. Allocation-free
     * when a permit is free.
     *
     * @param operation the operation
     * @param <T>       the result type
     * @return the operation's result
     * @throws TooManyCallsException when no permit could be had
     * @throws RejectedExecutionException when the call had to wait but the scheduler refused to
     *                                    time its wait
     * @throws InterruptedException  when the thread was interrupted while waiting for a permit
     * @throws Exception             whatever the operation throws
     */
    public <T> T call(Callable<? extends T> operation) throws Exception {
        Objects.requireNonNull(operation, "operation");
        long granted;
        if (acquireNow()) {
            granted = grantedNanos();
        } else {
            if (maxWaitNanos == 0L) {
                countRejection(0L);
                throw tooManyCalls();
            }
            BlockingTicket ticket = new BlockingTicket(this, Thread.currentThread());
            captureWaiting(ticket);
            ticket.startWaiting();
            enqueue(ticket);
            ticket.await();
            // From the grant, like a waiting asynchronous call: the time this thread took to wake up counts.
            granted = ticket.grantedNanos;
        }
        Throwable failure = null;
        try {
            return operation.call();
        } catch (Throwable thrown) {
            failure = thrown;
            throw thrown;
        } finally {
            release();
            completed(granted, failure);
        }
    }

    /**
     * Runs an asynchronous operation under a permit held until its result completes. Waiting for a
     * permit never blocks a thread; an operation that got its permit from another call's release
     * starts on the executor. This method never throws: a rejection, a scheduler that refuses to
     * time the wait ({@link RejectedExecutionException}), a synchronous throw of {@code operation}
     * or a {@code null} result arrive as the returned future's failure.
     *
     * @param operation starts the operation; called only once a permit is held
     * @param <T>       the result type
     * @return a future completed with the operation's result or failure (a
     *         {@code CompletionException} unwrapped), or failed with {@link TooManyCallsException};
     *         the permit is released before it completes. Cancelling it cancels the wait, or cancels
     *         the operation's future, whose completion releases the permit. Completing it from outside
     *         ({@code complete}, {@code completeExceptionally}, {@code orTimeout},
     *         {@code completeOnTimeout}, {@code completeAsync}) does the same: a waiting call leaves
     *         the queue and never takes a permit, a running operation's future is cancelled
     */
    public <T> CompletableFuture<T> executeAsync(Supplier<? extends CompletionStage<? extends T>> operation) {
        Objects.requireNonNull(operation, "operation");
        if (acquireNow()) {
            return startHoldingPermit(operation);
        }
        AsyncCall<T> call = new AsyncCall<>(this, operation);
        admit(call);
        return call.result();
    }

    /**
     * Starts an operation under a permit taken on the caller's thread. Only an operation whose future
     * is still running needs a call object to follow it; one that threw, returned {@code null} or
     * returned a future that already succeeded (a cache hit, say) is answered here, permit released.
     */
    private <T> CompletableFuture<T> startHoldingPermit(Supplier<? extends CompletionStage<? extends T>> operation) {
        long granted = grantedNanos();
        CompletionStage<? extends T> stage;
        try {
            stage = operation.get();
        } catch (Throwable thrown) {
            release();
            completed(granted, thrown);
            return CompletableFuture.failedFuture(AsyncCall.unwrap(thrown));
        }
        if (stage == null) {
            NullPointerException nullStage = AsyncCall.nullStage(name);
            release();
            completed(granted, nullStage);
            return CompletableFuture.failedFuture(nullStage);
        }
        CompletableFuture<T> succeeded = AsyncCall.succeededAlready(stage);
        if (succeeded != null) {
            release();
            completed(granted, null);
            return succeeded;
        }
        AsyncCall<T> call = new AsyncCall<>(this, operation);
        call.grantedNanos = granted;
        call.followStarted(stage);
        return call.result();
    }

    /**
     * Changes the limit at runtime. Raising it admits waiting calls at once; lowering it lets the
     * operations in flight finish and admits new ones only below the new limit.
     *
     * @param newLimit the new limit, at least 0
     * @throws IllegalArgumentException if {@code newLimit} is negative
     */
    public void setLimit(int newLimit) {
        checkLimit(name, newLimit);
        int oldLimit = permits.setLimit(newLimit);
        if (oldLimit != newLimit) {
            listener.onLimitChanged(name, oldLimit, newLimit);
        }
        if (waitingCalls.get() != 0) {
            drain();
        }
    }

    /** @return the name used in messages and metrics */
    public String name() {
        return name;
    }

    /** @return the maximum number of operations in flight */
    public int limit() {
        return permits.limit();
    }

    /** @return how long a call may wait for a permit; zero means reject at once */
    public Duration maxWait() {
        return maxWait;
    }

    /**
     * @return the number of operations holding a permit now; above {@link #limit()} for a while
     *         after the limit was lowered
     */
    public int inFlight() {
        return permits.inFlight();
    }

    /** @return the number of permits free now, never negative */
    public int available() {
        return Math.max(0, permits.limit() - permits.inFlight());
    }

    /** @return the number of calls waiting for a permit now */
    public int waiting() {
        return waitingCalls.get();
    }

    /**
     * @return the number of calls that got a permit since creation, including successful
     *         {@link #tryAcquire()} calls
     */
    public long permittedCount() {
        return permitted.sum();
    }

    /**
     * @return the number of calls rejected since creation, at once or after waiting, including
     *         failed {@link #tryAcquire()} calls; a call that gave up waiting (cancelled, completed
     *         by its caller, disposed, interrupted) or could not wait (the scheduler refused) is
     *         neither permitted nor rejected
     */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** Gives {@code ticket} a permit at once, queues it, or rejects it. */
    void admit(Ticket ticket) {
        if (acquireNow()) {
            if (ticket.startHolding()) {
                ticket.grantedNanos = grantedNanos();
                ticket.onPermit(false);
            } else {
                release(); // the call was abandoned before it could be admitted
            }
        } else if (maxWaitNanos == 0L) {
            ticket.markRejected();
            countRejection(0L);
            ticket.onRejected(tooManyCalls(), false);
        } else {
            ContextCarrier.Captured waiting = captureWaiting(ticket);
            if (ticket.startWaiting()) {
                enqueue(ticket);
            } else if (waiting != null) {
                waiting.done(ticket.gaveUp()); // the caller gave up before its call could wait
            }
        }
    }

    /**
     * Queues a waiting ticket and arms its timeout, unless a permit reaches it at once. If the
     * scheduler refuses the timeout, the ticket leaves the queue and is rejected with the refusal:
     * a call that cannot time out must not wait, and must not get a permit after its caller was told
     * it failed.
     */
    void enqueue(Ticket ticket) {
        ticket.enqueuedNanos = scheduler.nanoTime();
        waitingCalls.incrementAndGet();
        queue.offer(ticket);
        drain(); // publish-then-check, the waiter's half of the handshake with release()
        if (!ticket.isWaiting()) {
            return;
        }
        ScheduledTask timeout;
        try {
            timeout = scheduler.schedule(() -> expire(ticket), maxWaitNanos, TimeUnit.NANOSECONDS);
            Objects.requireNonNull(timeout, "DelayScheduler.schedule returned null");
        } catch (Throwable refused) { // a shut-down scheduler, or an Error: the caller must hear of it
            if (ticket.withdraw()) {
                abandon(ticket);
                ticket.onRejected(timeoutRefused(refused), false);
            }
            // Otherwise a release granted the call meanwhile (or its caller withdrew it): no timeout needed.
            return;
        }
        ticket.watchTimeout(timeout);
    }

    /**
     * Captures the context of a call about to wait, on its caller's thread, and tells it so; before the
     * ticket says waiting, so that whoever ends the wait (a grant, the timeout, a withdrawal) finds it
     * in the ticket and reports the end after this.
     *
     * @return the captured context, or {@code null} without a carrier
     */
    private ContextCarrier.Captured captureWaiting(Ticket ticket) {
        ContextCarrier carrier = contextCarrier;
        if (carrier == null) {
            return null;
        }
        ContextCarrier.Captured captured = carrier.capture();
        captured.waiting();
        ticket.context = captured;
        return captured;
    }

    /** Forgets a ticket that withdrew from the queue. */
    void abandon(Ticket ticket) {
        waitingCalls.decrementAndGet();
        queue.remove(ticket);
        ticket.cancelTimeout();
        ticket.waitAbandoned();
    }

    /**
     * Runs {@code task} on the executor; if the executor refuses it (e.g. shut down) or fails,
     * runs {@code refused} here with the reason instead.
     */
    void handOff(Runnable task, Consumer<Throwable> refused) {
        try {
            executor.execute(task);
        } catch (RuntimeException | Error e) { // also "unable to create native thread": the call fails, the permit returns
            refused.accept(e);
        }
    }

    /**
     * @return now, for a call granted a permit now, if the completion listener times it;
     *         {@link CompletionListener#UNTIMED} without a listener or if it declines, and then no
     *         clock is read
     */
    long grantedNanos() {
        return timesGrant() ? grantTime(scheduler.nanoTime()) : CompletionListener.UNTIMED;
    }

    /** Whether a completion listener wants the call being granted now timed. */
    private boolean timesGrant() {
        CompletionListener heard = completions;
        return heard != null && heard.timeCall();
    }

    /** A clock reading as the grant time of a timed call, which is never {@link CompletionListener#UNTIMED}. */
    private static long grantTime(long nowNanos) {
        return nowNanos == CompletionListener.UNTIMED ? nowNanos + 1 : nowNanos;
    }

    /**
     * Reports to the completion listener, if any, that a call holding a permit since
     * {@code grantedNanos} ended, failed with {@code failure} or succeeded if it is {@code null}. A
     * call the listener did not time is reported only if it failed: its success tells it nothing,
     * and costs no clock read.
     */
    void completed(long grantedNanos, Throwable failure) {
        CompletionListener heard = completions;
        if (heard != null && (failure != null || grantedNanos != CompletionListener.UNTIMED)) {
            heard.onCompleted(grantedNanos, scheduler.nanoTime(), CompletionListener.Outcome.of(failure));
        }
    }

    /** Takes a permit for a new call if one is free and nobody waits; counts and reports it. */
    private boolean acquireNow() {
        // New calls never overtake waiting ones; that is what makes the wait FIFO.
        if (waitingCalls.get() != 0 || !acquirePermit()) {
            return false;
        }
        permitted.increment();
        listener.onPermitted(name, 0L);
        return true;
    }

    private boolean acquirePermit() {
        return permits.tryTake();
    }

    /** Hands free permits to waiting tickets, oldest first. Any thread may call it at any time. */
    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return; // the thread draining now will make one more pass for us
        }
        int missed = 1;
        boolean finished = false;
        try {
            do {
                grantWaiting();
                missed = drainRequests.addAndGet(-missed);
            } while (missed != 0);
            finished = true;
        } finally {
            if (!finished) {
                drainRequests.set(0); // an Error escaped: let the next release or arrival drain again
            }
        }
    }

    private void grantWaiting() {
        while (!queue.isEmpty() && acquirePermit()) {
            Ticket next = queue.poll();
            if (next == null || !next.grant()) {
                // Queue emptied meanwhile, or the call timed out or withdrew: keep the permit free.
                permits.giveBack();
                continue;
            }
            waitingCalls.decrementAndGet();
            next.cancelTimeout();
            permitted.increment();
            long now = scheduler.nanoTime();
            listener.onPermitted(name, now - next.enqueuedNanos);
            next.grantedNanos = timesGrant() ? grantTime(now) : CompletionListener.UNTIMED;
            next.waitEnded(null);
            next.onPermit(true);
        }
    }

    /** Timer task: rejects the ticket if it is still waiting. */
    private void expire(Ticket ticket) {
        if (!ticket.expire()) {
            return;
        }
        waitingCalls.decrementAndGet();
        queue.remove(ticket);
        countRejection(scheduler.nanoTime() - ticket.enqueuedNanos);
        TooManyCallsException rejection = tooManyCalls();
        ticket.waitEnded(rejection);
        ticket.onRejected(rejection, true);
    }

    private void countRejection(long waitNanos) {
        rejected.increment();
        listener.onRejected(name, waitNanos);
    }

    private TooManyCallsException tooManyCalls() {
        return new TooManyCallsException(name, permits.limit());
    }

    private RejectedExecutionException timeoutRefused(Throwable refusal) {
        return new RejectedExecutionException("No permit free on limiter " + name + ", and its DelayScheduler refused "
                + "to time the wait (maxWait " + maxWait + "), so the call cannot wait: " + refusal, refusal);
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    private static int checkLimit(String name, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("Invalid limit '" + limit + "' for " + name + ": must be at least 0");
        }
        return limit;
    }

    @Override
    public String toString() {
        return "JobLimiter[" + name + ", limit=" + permits.limit() + ", maxWait=" + maxWait + "]";
    }

    /** Builds a {@link JobLimiter}. */
    public static final class Builder {

        private final String name;
        /** Integer.MIN_VALUE until set: the limit has no default. */
        private int limit = Integer.MIN_VALUE;
        private Duration maxWait = Duration.ZERO;
        private DelayScheduler scheduler = DelayScheduler.system();
        private Executor executor = ForkJoinPool.commonPool();
        private LimitListener listener = LimitListener.NONE;
        private CompletionListener completions;
        private int stripes = Permits.stripesForThisMachine();
        private ContextCarrier contextCarrier;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /**
         * @param limit the maximum number of operations in flight, at least 0; required
         * @return this builder
         */
        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        /**
         * @param maxWait how long a call may wait for a permit, zero or positive; default zero
         * @return this builder
         */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
            return this;
        }

        /**
         * @param scheduler times out waiting calls; default {@link DelayScheduler#system()}
         * @return this builder
         */
        public Builder scheduler(DelayScheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param executor starts operations whose permit was handed over by another call's release;
         *                 default the common fork-join pool
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param listener receives limiter events; default none
         * @return this builder
         */
        public Builder listener(LimitListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param completions hears the end of each call that held a permit, with its duration and
         *                    outcome, e.g. an adaptive limit; default none
         * @return this builder
         */
        public Builder completionListener(CompletionListener completions) {
            this.completions = Objects.requireNonNull(completions, "completions");
            return this;
        }

        /**
         * @param contextCarrier captures the context of a call that must wait for a permit, and makes
         *                       it current where the call continues on another thread (its operation
         *                       started by another call's release, its rejection after the wait);
         *                       default none. Calls that get a permit at once capture nothing
         * @return this builder
         */
        public Builder contextCarrier(ContextCarrier contextCarrier) {
            this.contextCarrier = Objects.requireNonNull(contextCarrier, "contextCarrier");
            return this;
        }

        /** For tests: count permits on this many stripes (a power of two) instead of one per core. */
        Builder stripes(int stripes) {
            this.stripes = stripes;
            return this;
        }

        /**
         * Checks every value and builds the limiter.
         *
         * @return the limiter
         * @throws IllegalArgumentException naming the invalid attribute and its value
         */
        public JobLimiter build() {
            if (limit == Integer.MIN_VALUE) {
                throw new IllegalArgumentException("Missing limit for " + name + ": required, at least 0");
            }
            checkLimit(name, limit);
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("Invalid maxWait '" + maxWait + "' for " + name + ": must not be negative");
            }
            return new JobLimiter(this);
        }
    }
}
