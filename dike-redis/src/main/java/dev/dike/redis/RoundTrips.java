package dev.dike.redis;

import dev.dike.time.DelayScheduler;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Every round trip of one {@link ClusterLimits} to Redis: runs a script by {@code EVALSHA} (by {@code EVAL}
 * when the server answers {@code NOSCRIPT}), parses the reply, reports the round trip to the
 * {@link ClusterListener} and its outcome to the {@link ConnectionState}, and fails it when Redis leaves it
 * unanswered.
 *
 * <p><b>Liveness, not deadlines.</b> A round trip fails only if no reply at all (to any command of this
 * instance) arrived for the whole round-trip timeout since it was sent, so a busy Redis that keeps answering
 * never counts as unreachable. One watchdog task checks the round trips in flight every quarter of the
 * timeout, armed only while there are any: a round trip costs no timer of its own (a timer per round trip
 * woke the scheduler's thread twice per call and cost most of a cluster call's overhead). A round trip thus
 * fails between one and one and a quarter timeouts after Redis fell silent. When the watchdog itself ran
 * late by more than a quarter of the timeout (this JVM stalled: GC, CPU starvation), the replies that
 * arrived meanwhile may still wait for an event-loop thread, so it fails nothing in that tick. A reply that
 * arrives after its round trip failed goes to the round trip's {@code late} consumer (e.g. to release leases
 * granted to nobody).
 *
 * <p><b>Threads.</b> Replies are handled on a Lettuce event-loop thread, the watchdog on the
 * {@link DelayScheduler}; both only complete futures and count, and never block. Lock-free: the round trips
 * in flight are a concurrent set, the watchdog's arming a compare-and-set. Every round trip's future is
 * completed exactly once: by its reply, its failure, or the watchdog.
 */
final class RoundTrips {

    private final DelayScheduler scheduler;
    private final long timeoutNanos;
    private final long tickNanos;
    private final ClusterListener listener;
    private final ConnectionState state;
    private final Set<RoundTrip<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean armed = new AtomicBoolean();
    /** When the last reply of any round trip arrived, on the scheduler's clock. */
    private volatile long lastReplyNanos;
    /** When the watchdog is due next, on the scheduler's clock. */
    private volatile long dueNanos;

    RoundTrips(DelayScheduler scheduler, Duration timeout, ClusterListener listener, ConnectionState state) {
        this.scheduler = scheduler;
        this.timeoutNanos = timeout.toNanos();
        this.tickNanos = Math.max(1, timeoutNanos / 4);
        this.listener = listener;
        this.state = state;
    }

    /** @return the round-trip timeout: how long Redis may stay silent before round trips fail */
    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * Runs a script: one round trip, or two the first time after the server lost its script cache.
     *
     * @param operation the name reported to the listener: {@code acquire}, {@code release} ...
     * @param parse     turns the reply into the result; runs on the event loop
     * @param late      receives a result that arrived after the round trip failed, or {@code null}
     * @return the result, completed on a Lettuce thread, or failed on the watchdog's
     */
    <R, T> CompletableFuture<T> script(String operation, RedisScriptingAsyncCommands<String, String> commands,
            LuaScript script, ScriptOutputType type, String[] keys, String[] args, Function<? super R, ? extends T> parse,
            Consumer<? super T> late) {
        RoundTrip<T> trip = new RoundTrip<>(operation, parse, late, script, commands, type, keys, args);
        start(trip, commands.<R>evalsha(script.digest(), type, keys, args));
        return trip;
    }

    /** Sends a plain command as a round trip (no parsing, nothing late). */
    <T> CompletableFuture<T> command(String operation, CompletionStage<T> reply) {
        RoundTrip<T> trip = new RoundTrip<>(operation, Function.identity(), null, null, null, null, null, null);
        start(trip, reply);
        return trip;
    }

    private void start(RoundTrip<?> trip, CompletionStage<?> reply) {
        inFlight.add(trip);
        if (!armed.get() && armed.compareAndSet(false, true)) {
            arm(tickNanos);
        }
        reply.whenComplete(trip);
    }

    private void arm(long delayNanos) {
        dueNanos = scheduler.nanoTime() + delayNanos;
        scheduler.schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The watchdog: fails the round trips Redis left unanswered for the whole timeout. */
    private void check() {
        long now = scheduler.nanoTime();
        boolean stalled = now - dueNanos > tickNanos;
        long lastReply = lastReplyNanos;
        if (!stalled) {
            for (RoundTrip<?> trip : inFlight) {
                if (now - Math.max(trip.startNanos, lastReply) >= timeoutNanos) {
                    trip.timedOut();
                }
            }
        }
        if (!inFlight.isEmpty()) {
            arm(tickNanos);
            return;
        }
        armed.set(false);
        // A round trip that started after the isEmpty check may have found the watchdog still armed.
        if (!inFlight.isEmpty() && armed.compareAndSet(false, true)) {
            arm(tickNanos);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** One round trip: the future its sender holds, and the callback of the reply. */
    private final class RoundTrip<T> extends CompletableFuture<T> implements BiConsumer<Object, Throwable> {

        final long startNanos = scheduler.nanoTime();
        private final String operation;
        private final Function<Object, ? extends T> parse;
        private final Consumer<? super T> late;
        // Only to run the script again by EVAL on NOSCRIPT; null for a plain command.
        private final LuaScript script;
        private final RedisScriptingAsyncCommands<String, String> commands;
        private final ScriptOutputType type;
        private final String[] keys;
        private final String[] args;
        /** Whether the EVAL was sent; read and written on the event loop only, one reply at a time. */
        private boolean evalSent;

        @SuppressWarnings("unchecked")
        RoundTrip(String operation, Function<?, ? extends T> parse, Consumer<? super T> late, LuaScript script,
                RedisScriptingAsyncCommands<String, String> commands, ScriptOutputType type, String[] keys, String[] args) {
            this.operation = operation;
            this.parse = (Function<Object, ? extends T>) parse;
            this.late = late;
            this.script = script;
            this.commands = commands;
            this.type = type;
            this.keys = keys;
            this.args = args;
        }

        @Override
        public void accept(Object reply, Throwable failure) {
            Throwable cause = failure == null ? null : unwrap(failure);
            if (cause instanceof RedisNoScriptException && script != null && !evalSent) {
                evalSent = true; // EVAL also loads it: the next EVALSHA finds it
                commands.eval(script.source(), type, keys, args).whenComplete(this);
                return;
            }
            lastReplyNanos = scheduler.nanoTime();
            inFlight.remove(this);
            listener.onRoundTrip(operation, lastReplyNanos - startNanos, cause == null);
            if (cause != null) {
                state.failed(cause);
                completeExceptionally(cause);
                return;
            }
            state.succeeded();
            T value;
            try {
                value = parse.apply(reply);
            } catch (RuntimeException | Error unparsable) {
                completeExceptionally(unparsable);
                return;
            }
            if (!complete(value) && late != null) {
                late.accept(value);
            }
        }

        void timedOut() {
            inFlight.remove(this);
            TimeoutException timeout = new TimeoutException("Redis did not answer anything within "
                    + Duration.ofNanos(timeoutNanos));
            state.failed(timeout);
            completeExceptionally(timeout);
        }
    }
}
