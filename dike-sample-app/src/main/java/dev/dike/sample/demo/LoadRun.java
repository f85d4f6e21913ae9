package dev.dike.sample.demo;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** The live counts of one load run; updated by the requests' callbacks, read by the progress line. */
final class LoadRun {

    private final boolean batched;
    private final Duration sendingTime;
    private final LongAdder sent = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder skipped = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LatencyRecorder latencies;
    private final CompletableFuture<LoadRun> done = new CompletableFuture<>();
    private final CompletableFuture<LoadRun> sendingDone = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private volatile boolean sending = true;

    LoadRun(boolean batched, Duration sendingTime, int expectedRequests) {
        this.batched = batched;
        this.sendingTime = sendingTime;
        this.latencies = new LatencyRecorder(expectedRequests);
    }

    /** @return whether a request may be sent now: false once {@code maxInFlight} are unanswered */
    boolean tryStartRequest(int maxInFlight) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            requestEnded();
            skipped.increment();
            return false;
        }
        sent.increment();
        return true;
    }

    void answered(int status, long latencyNanos) {
        if (status == 200) {
            succeeded.increment();
            latencies.record(latencyNanos);
        } else if (status == 503) {
            rejected.increment();
        } else {
            failed.increment();
        }
    }

    void failed() {
        failed.increment();
    }

    /** A request that got no answer within the demo's request timeout; counted among the failed. */
    void timedOut() {
        timedOut.increment();
        failed.increment();
    }

    /** Called exactly once per request that {@link #tryStartRequest} let through, on every path. */
    void requestEnded() {
        // Both sides read the other's volatile write after their own, so one of them completes.
        if (inFlight.decrementAndGet() == 0 && !sending) {
            done.complete(this);
        }
    }

    void sendingEnded() {
        sending = false;
        sendingDone.complete(this);
        if (inFlight.get() == 0) {
            done.complete(this);
        }
    }

    /** @return completes once the run has sent its last request; answers may still be missing */
    CompletableFuture<LoadRun> sendingDone() {
        return sendingDone;
    }

    /** @return completes once sending has ended and every request is answered */
    CompletableFuture<LoadRun> done() {
        return done;
    }

    boolean batched() {
        return batched;
    }

    long sent() {
        return sent.sum();
    }

    long succeeded() {
        return succeeded.sum();
    }

    long rejected() {
        return rejected.sum();
    }

    long failedCount() {
        return failed.sum();
    }

    long timedOutCount() {
        return timedOut.sum();
    }

    long skipped() {
        return skipped.sum();
    }

    int inFlight() {
        return Math.max(inFlight.get(), 0);
    }

    /** @return the successful requests per second of sending time */
    double throughput() {
        return sendingTime.isZero() ? Double.NaN : succeeded() * 1e9 / sendingTime.toNanos();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    LatencyRecorder latencies() {
        return latencies;
    }
}
