package dev.dike.sample.backend;

import dev.dike.sample.Price;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * The simulated inventory system behind {@code /backend/**}: a bulk price lookup whose cost is a
 * fixed latency per call plus a small cost per item, served by a fixed number of workers, failing
 * now and then with HTTP 503 and a {@code Retry-After}. It waits on Reactor's timer, never on a
 * blocked thread.
 */
@Service
public class InventoryBackend {

    private final BackendProperties properties;
    private final SimulatedWorkers workers = new SimulatedWorkers();
    private final LongAdder calls = new LongAdder();
    private final LongAdder items = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder queuedNanos = new LongAdder();
    private final Counter succeededCalls;
    private final Counter failedCalls;
    private final Counter itemCounter;

    InventoryBackend(BackendProperties properties, MeterRegistry meterRegistry) {
        this.properties = properties;
        this.succeededCalls = callCounter(meterRegistry, "success");
        this.failedCalls = callCounter(meterRegistry, "failure");
        this.itemCounter = Counter.builder("sample.backend.items")
                .description("SKUs asked of the simulated inventory backend")
                .register(meterRegistry);
    }

    private static Counter callCounter(MeterRegistry meterRegistry, String outcome) {
        return Counter.builder("sample.backend.calls")
                .description("Bulk calls served by the simulated inventory backend")
                .tag("outcome", outcome)
                .register(meterRegistry);
    }

    /**
     * Looks prices up, as one bulk call.
     *
     * @param skus the articles, at least one
     * @return their prices in the same order, once the call's turn and cost have passed; or a
     *         {@link SimulatedOutageException} at the configured failure rate (a failed call costs
     *         a worker as much as a successful one)
     */
    Mono<List<Price>> lookup(List<String> skus) {
        long costNanos = properties.getLatency().toNanos() + properties.getLatencyPerItem().toNanos() * skus.size();
        long waitNanos = workers.reserve(properties.getWorkers(), System.nanoTime(), costNanos);
        boolean fails = ThreadLocalRandom.current().nextDouble() < properties.getFailureRate();
        record(skus.size(), fails, waitNanos - costNanos);
        Mono<Long> served = Mono.delay(Duration.ofNanos(waitNanos));
        if (fails) {
            return served.then(Mono.error(new SimulatedOutageException(properties.getRetryAfter().toSeconds())));
        }
        return served.then(Mono.fromSupplier(() -> skus.stream().map(PriceCatalog::priceOf).toList()));
    }

    private void record(int itemCount, boolean fails, long queueNanos) {
        calls.increment();
        items.add(itemCount);
        queuedNanos.add(queueNanos);
        itemCounter.increment(itemCount);
        if (fails) {
            failures.increment();
            failedCalls.increment();
        } else {
            succeededCalls.increment();
        }
    }

    /** @return what the backend has served so far; exact once no call is running */
    public BackendStats stats() {
        return new BackendStats(calls.sum(), items.sum(), failures.sum(), queuedNanos.sum());
    }
}
