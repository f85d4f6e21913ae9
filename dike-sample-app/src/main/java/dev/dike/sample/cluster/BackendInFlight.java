package dev.dike.sample.cluster;

import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the bulk calls in flight at the simulated backend ({@code POST /backend/prices}), from
 * every caller: the count that shows a limit shared by several instances holds, because it is taken
 * where their calls arrive, not by the limiter. With the cluster profile and unbatched lookups, each
 * call comes from one request holding a permit, so the count never exceeds the cluster limit.
 *
 * <p>A call counts from its arrival until its response is about to be committed, before any byte of
 * it leaves, so a caller never sees its answer (and releases its permit) while its call still counts;
 * a call that ends without a response (connection closed, error) stops counting when its exchange
 * ends. Each call is counted out exactly once. Lock-free: two atomics, on the server's event loops.
 */
@Component
class BackendInFlight implements WebFilter {

    /** The bulk lookup, the calls counted. */
    static final String CALL_PATH = "/backend/prices";
    /** Where the count is read, relative to the backend's base URL ({@code .../backend}). */
    static final String IN_FLIGHT = "/in-flight";

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (exchange.getRequest().getMethod() != HttpMethod.POST
                || !CALL_PATH.equals(exchange.getRequest().getPath().pathWithinApplication().value())) {
            return chain.filter(exchange);
        }
        AtomicBoolean counted = new AtomicBoolean(true);
        Runnable countOut = () -> {
            if (counted.compareAndSet(true, false)) {
                inFlight.decrementAndGet();
            }
        };
        peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        exchange.getResponse().beforeCommit(() -> Mono.fromRunnable(countOut));
        return Mono.defer(() -> chain.filter(exchange)).doFinally(signal -> countOut.run());
    }

    /** @return the calls in flight now, and the most ever in flight at once since the application started */
    Load load() {
        return new Load(inFlight.get(), peak.get());
    }

    /**
     * What {@code GET /backend/in-flight} answers.
     *
     * @param inFlight bulk calls arrived and not yet answered
     * @param peak     the most calls in flight at once since the application started
     */
    record Load(int inFlight, int peak) {
    }
}
