package dev.dike.reliability;

import dev.dike.limit.JobLimiter;
import dev.dike.limit.ReactorLimit;
import dev.dike.limit.TooManyCallsException;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Drives one {@link JobLimiter} from a caller thread with every kind of call (asynchronous,
 * {@code Mono}, synchronous, {@code tryAcquire}) and every way of ending one (success, synchronous
 * throw, failed future, failure later, cancellation of the operation's future, cancellation by the
 * caller, {@code Mono} disposal, rejection). Each caller's outcome is checked against what was done
 * to it: its own value, its own fault, a cancellation it asked for, or a rejection.
 */
final class LimiterWorkload {

    /** Operations a caller thread leaves running before it ends some of them. */
    private static final int WINDOW = 1;

    private final JobLimiter limiter;
    private final ConcurrencyGauge gauge;
    private final Violations violations;
    private final Bracket bracket;
    private final AtomicLong ids = new AtomicLong();

    final LongAdder calls = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder succeeded = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder syncThrows = new LongAdder();
    final LongAdder failedFutures = new LongAdder();
    final LongAdder laterFailures = new LongAdder();
    final LongAdder operationCancels = new LongAdder();
    final LongAdder callerCancels = new LongAdder();
    final LongAdder disposals = new LongAdder();
    final LongAdder disposalsRacingSubscription = new LongAdder();

    /** Brackets every call into the limiter (see {@link LimitChanges}). */
    interface Bracket {
        Bracket NONE = new Bracket() {
            @Override
            public int enter() {
                return 0;
            }

            @Override
            public void exit(int token) {
            }
        };

        int enter();

        void exit(int token);
    }

    LimiterWorkload(JobLimiter limiter, ConcurrencyGauge gauge, Violations violations, Bracket bracket) {
        this.limiter = limiter;
        this.gauge = gauge;
        this.violations = violations;
        this.bracket = bracket;
    }

    /** Runs {@code count} calls on the current thread, then ends every operation it left running. */
    void run(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Pending> window = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pending pending = issue(random);
            if (pending != null) {
                window.add(pending);
            }
            while (window.size() > WINDOW) {
                resolve(window.remove(random.nextInt(window.size())), random);
            }
        }
        while (!window.isEmpty()) {
            resolve(window.remove(window.size() - 1), random);
        }
    }

    private Pending issue(SplittableRandom random) {
        long id = ids.incrementAndGet();
        calls.increment();
        int dice = random.nextInt(100);
        if (dice < 10) {
            return asyncCall(id, dice < 5 ? Kind.THROW : Kind.FAILED_FUTURE);
        } else if (dice < 20) {
            return asyncCall(id, Kind.DONE);
        } else if (dice < 45) {
            return asyncCall(id, Kind.LATER);
        } else if (dice < 55) {
            return monoCall(id, dice < 50 ? Kind.DONE : Kind.FAILED_FUTURE);
        } else if (dice < 80) {
            return monoCall(id, Kind.LATER);
        } else if (dice < 90) {
            syncCall(id, random.nextBoolean());
        } else {
            tryAcquire();
        }
        return null;
    }

    private Pending asyncCall(long id, Kind kind) {
        AsyncCall call = new AsyncCall(id, kind);
        int token = bracket.enter();
        try {
            call.caller = limiter.executeAsync(call::start);
        } finally {
            bracket.exit(token);
        }
        call.caller.whenComplete(call::verify);
        return kind == Kind.LATER ? call : null;
    }

    private Pending monoCall(long id, Kind kind) {
        MonoCall call = new MonoCall(id, kind);
        int token = bracket.enter();
        try {
            call.subscription = ReactorLimit.mono(limiter, call::start)
                    .subscribe(call::onValue, call::onError, call::onComplete);
        } finally {
            bracket.exit(token);
        }
        return kind == Kind.LATER ? call : null;
    }

    private void syncCall(long id, boolean fail) {
        int token = bracket.enter();
        try {
            Long value = limiter.call(() -> {
                gauge.enter().leave();
                if (fail) {
                    syncThrows.increment();
                    throw new InjectedFault(id);
                }
                return id;
            });
            if (fail || value != id) {
                violations.record("sync call " + id + " returned " + value);
            }
            succeeded.increment();
        } catch (TooManyCallsException e) {
            rejected.increment();
        } catch (InjectedFault e) {
            if (!fail || e.callId() != id) {
                violations.record("sync call " + id + " got " + e);
            }
        } catch (Exception e) {
            violations.record("sync call " + id + " got " + e);
        } finally {
            bracket.exit(token);
            completed.increment();
        }
    }

    private void tryAcquire() {
        int token = bracket.enter();
        try {
            if (limiter.tryAcquire()) {
                gauge.enter().leave();
                limiter.release();
                succeeded.increment();
            } else {
                rejected.increment();
            }
        } finally {
            bracket.exit(token);
            completed.increment();
        }
    }

    private void resolve(Pending pending, SplittableRandom random) {
        int token = bracket.enter();
        try {
            pending.resolve(random.nextInt(4));
        } finally {
            bracket.exit(token);
        }
    }

    private enum Kind { THROW, FAILED_FUTURE, DONE, LATER }

    /** How a pending operation is ended. */
    private enum Resolution { NONE, SUCCESS, FAILURE, OPERATION_CANCEL, CALLER_CANCEL }

    private abstract class Pending {
        final long id;
        final Kind kind;
        final AtomicInteger starts = new AtomicInteger();
        volatile Resolution resolution = Resolution.NONE;
        volatile ConcurrencyGauge.Run run;

        Pending(long id, Kind kind) {
            this.id = id;
            this.kind = kind;
        }

        /** Counts the start and enters the gauge; an operation started twice is a violation. */
        ConcurrencyGauge.Run started() {
            if (starts.incrementAndGet() != 1) {
                violations.record("operation " + id + " started twice");
            }
            return gauge.enter();
        }

        abstract void resolve(int choice);

        /** Checks a failure the caller received. */
        void verifyFailure(Throwable error) {
            if (error instanceof TooManyCallsException) {
                rejected.increment();
                if (starts.get() != 0) {
                    violations.record("call " + id + " was rejected after its operation started");
                }
            } else if (error instanceof InjectedFault fault) {
                boolean expected = kind == Kind.THROW || kind == Kind.FAILED_FUTURE || resolution == Resolution.FAILURE;
                if (!expected || fault.callId() != id) {
                    violations.record("call " + id + " (" + kind + ", " + resolution + ") got " + fault);
                }
            } else if (error instanceof CancellationException) {
                if (resolution != Resolution.OPERATION_CANCEL && resolution != Resolution.CALLER_CANCEL) {
                    violations.record("call " + id + " (" + kind + ", " + resolution + ") was cancelled");
                }
            } else {
                violations.record("call " + id + " (" + kind + ", " + resolution + ") got " + error);
            }
        }

        void verifyValue(Long value) {
            boolean expected = kind == Kind.DONE || resolution == Resolution.SUCCESS;
            if (!expected || value == null || value != id) {
                violations.record("call " + id + " (" + kind + ", " + resolution + ") got value " + value);
            } else {
                succeeded.increment();
            }
        }
    }

    /** A call through {@link JobLimiter#executeAsync}. */
    private final class AsyncCall extends Pending {
        volatile CompletableFuture<Long> caller;
        volatile TrackedFuture operation;

        AsyncCall(long id, Kind kind) {
            super(id, kind);
        }

        CompletionStage<Long> start() {
            ConcurrencyGauge.Run running = started();
            switch (kind) {
                case THROW -> {
                    running.leave();
                    syncThrows.increment();
                    throw new InjectedFault(id);
                }
                case FAILED_FUTURE -> {
                    running.leave();
                    failedFutures.increment();
                    return CompletableFuture.failedFuture(new InjectedFault(id));
                }
                case DONE -> {
                    running.leave();
                    return CompletableFuture.completedFuture(id);
                }
                default -> {
                    TrackedFuture future = new TrackedFuture(running);
                    run = running;
                    operation = future;
                    return future;
                }
            }
        }

        @Override
        void resolve(int choice) {
            TrackedFuture future = operation;
            if (future == null) {
                // Waiting, rejected, or its permit is on the way: the caller gives up.
                cancelByCaller();
                return;
            }
            switch (choice) {
                case 0, 1 -> {
                    resolution = Resolution.SUCCESS;
                    run.leave();
                    future.complete(id);
                }
                case 2 -> {
                    resolution = Resolution.FAILURE;
                    laterFailures.increment();
                    run.leave();
                    future.completeExceptionally(new InjectedFault(id));
                }
                default -> {
                    if (choice == 3 && id % 2 == 0) {
                        resolution = Resolution.OPERATION_CANCEL;
                        operationCancels.increment();
                        future.cancel(false);
                    } else {
                        cancelByCaller();
                    }
                }
            }
        }

        private void cancelByCaller() {
            resolution = Resolution.CALLER_CANCEL;
            if (caller.cancel(true)) {
                callerCancels.increment();
            }
        }

        void verify(Long value, Throwable error) {
            completed.increment();
            if (error == null) {
                verifyValue(value);
            } else {
                verifyFailure(error);
            }
        }
    }

    /** A subscription to {@link ReactorLimit#mono}. */
    private final class MonoCall extends Pending {
        final AtomicBoolean ended = new AtomicBoolean();
        volatile Disposable subscription;
        volatile MonoSink<Long> sink;
        volatile boolean disposeRequested;
        final AtomicBoolean racing = new AtomicBoolean();

        MonoCall(long id, Kind kind) {
            super(id, kind);
        }

        Mono<Long> start() {
            ConcurrencyGauge.Run running = started();
            switch (kind) {
                case DONE -> {
                    running.leave();
                    return Mono.just(id);
                }
                case FAILED_FUTURE -> {
                    running.leave();
                    failedFutures.increment();
                    return Mono.error(new InjectedFault(id));
                }
                default -> {
                    run = running;
                    if (disposeRequested) {
                        endRacingSubscription();
                    }
                    return Mono.create(created -> {
                        // The operation ends when its own cancellation runs, not when the limiter hears of it.
                        created.onCancel(running::leave);
                        sink = created;
                    });
                }
            }
        }

        @Override
        void resolve(int choice) {
            MonoSink<Long> started = sink;
            if (started == null || choice == 3) {
                dispose();
                return;
            }
            if (choice == 2) {
                resolution = Resolution.FAILURE;
                laterFailures.increment();
                run.leave();
                started.error(new InjectedFault(id));
            } else {
                resolution = Resolution.SUCCESS;
                run.leave();
                started.success(id);
            }
        }

        private void dispose() {
            disposeRequested = true;
            if (sink == null && run != null) {
                endRacingSubscription();
            }
            resolution = Resolution.CALLER_CANCEL;
            if (ended.compareAndSet(false, true)) {
                disposals.increment();
                completed.increment();
            }
            subscription.dispose();
        }

        /**
         * The disposal races with the subscription to the operation, which runs on another thread (the
         * one that granted the permit): Reactor lets that thread finish subscribing, and cancel the
         * operation, after the disposing thread has already released the permit. No operator can wait
         * for the other thread, so such an operation counts as ended when its disposal is requested.
         */
        private void endRacingSubscription() {
            if (racing.compareAndSet(false, true)) {
                disposalsRacingSubscription.increment();
                run.leave();
            }
        }

        void onValue(Long value) {
            if (end()) {
                verifyValue(value);
            }
        }

        void onError(Throwable error) {
            if (end()) {
                verifyFailure(error);
            }
        }

        void onComplete() {
            // Mono.just and success(value) signal onNext first; an empty completion is never expected.
            if (!ended.get()) {
                violations.record("mono call " + id + " completed empty");
            }
        }

        private boolean end() {
            if (ended.compareAndSet(false, true)) {
                completed.increment();
                return true;
            }
            if (resolution != Resolution.CALLER_CANCEL) {
                violations.record("mono call " + id + " signalled twice");
            }
            return false;
        }
    }

    /** The operation's own future: a cancellation leaves the gauge before the limiter hears of it. */
    private static final class TrackedFuture extends CompletableFuture<Long> {
        private final ConcurrencyGauge.Run run;

        TrackedFuture(ConcurrencyGauge.Run run) {
            this.run = run;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            run.leave();
            return super.cancel(mayInterruptIfRunning);
        }

        @Override
        public <U> CompletableFuture<U> newIncompleteFuture() {
            return new CompletableFuture<>();
        }
    }
}
