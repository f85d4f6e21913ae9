package dev.dike.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dike.context.ThreadLocalCarrier;
import dev.dike.limit.LimitListener;
import dev.dike.limit.TooManyCallsException;
import dev.dike.redis.testing.RedisServer;
import dev.dike.redis.testing.RedisServerExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cluster limiter with a {@code ContextCarrier} ({@link ThreadLocalCarrier}), on a real redis-server: every call's grant or
 * rejection reaches it on a Lettuce thread and is delivered on the executor, so the caller's context
 * must be made current there; the carrier hears of a wait before it starts and of the call's end once.
 * The executor's thread has a context of its own ("foreign"), so a delivery that forgot to open the
 * caller's context, or left it behind, shows.
 */
@Tag("redis")
@ExtendWith(RedisServerExtension.class)
class ClusterContextTest {

    private static final Duration LONG_LEASE = Duration.ofSeconds(30);
    private static final ThreadLocal<String> CURRENT = ThreadLocalCarrier.CURRENT;

    private final Fleet fleet;
    private final ExecutorService foreign = Executors.newSingleThreadExecutor(task -> new Thread(() -> {
        CURRENT.set("foreign");
        task.run();
    }, "foreign"));
    private final ThreadLocalCarrier carrier = new ThreadLocalCarrier();

    ClusterContextTest(RedisServer server) {
        this.fleet = new Fleet(server);
    }

    @AfterEach
    void close() throws Exception {
        assertThat(foreign.submit(CURRENT::get).get(5, TimeUnit.SECONDS)).as("the executor's own context, restored")
                .isEqualTo("foreign");
        foreign.shutdownNow();
        fleet.close();
    }

    @Test
    void aCallThatDidNotWaitStartsInItsCallersContext() throws Exception {
        ClusterLimiter limiter = limiter("direct", Duration.ofSeconds(5));
        List<String> seen = new CopyOnWriteArrayList<>();

        CompletableFuture<String> call = as("caller", () -> limiter.executeAsync(() -> {
            seen.add(Thread.currentThread().getName() + ":" + CURRENT.get());
            return CompletableFuture.completedFuture("ran");
        }));

        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(seen).containsExactly("foreign:caller");
        assertThat(carrier.events).containsExactly("caller captured", "caller done:null");
    }

    @Test
    void aCallWokenByAReleaseOnAnotherInstanceStartsInItsOwnCallersContext() throws Exception {
        ClusterLimiter holder = fleet.start(LONG_LEASE).limiter("woken", 1, Duration.ZERO, LimitListener.NONE);
        ClusterLimiter waiter = limiter("woken", Duration.ofSeconds(20));
        ClusterPermit held = holder.acquire().get(5, TimeUnit.SECONDS);
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<String> call = as("waiter", () -> waiter.executeAsync(() -> {
            seen.add(CURRENT.get());
            return CompletableFuture.completedFuture("ran");
        }));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> waiter.waiting() == 1);
        assertThat(carrier.events).containsExactly("waiter captured", "waiter waiting");

        as("releaser", () -> {
            held.release(); // the wake-up arrives by pub/sub, on a Lettuce thread
            return null;
        });

        assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("ran");
        assertThat(seen).containsExactly("waiter");
        assertThat(carrier.events).containsExactly("waiter captured", "waiter waiting", "waiter done:null");
    }

    @Test
    void aRejectionAfterTheWaitIsDeliveredInTheCallersContext() throws Exception {
        ClusterLimiter limiter = limiter("full", Duration.ofMillis(500));
        ClusterPermit held = limiter.acquire().get(5, TimeUnit.SECONDS);
        carrier.events.clear();
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<String> call = as("rejected", () -> limiter.executeAsync(
                () -> CompletableFuture.completedFuture("never")));
        CompletableFuture<String> observed = call.whenComplete((value, error) -> seen.add(CURRENT.get()));

        assertThatThrownBy(() -> observed.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseExactlyInstanceOf(TooManyCallsException.class);
        assertThat(seen).containsExactly("rejected");
        assertThat(carrier.events).containsExactly("rejected captured", "rejected waiting",
                "rejected done:TooManyCallsException");
        held.release();
    }

    @Test
    void aCancelledWaitReportsItsEndOnce() throws Exception {
        ClusterLimiter limiter = limiter("cancel", Duration.ofSeconds(2));
        ClusterPermit held = limiter.acquire().get(5, TimeUnit.SECONDS);
        carrier.events.clear();
        CompletableFuture<String> call = as("gives-up", () -> limiter.executeAsync(
                () -> CompletableFuture.completedFuture("never")));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> limiter.waiting() == 1);

        call.cancel(false);
        held.release();

        assertThat(carrier.events).containsExactly("gives-up captured", "gives-up waiting",
                "gives-up done:CancellationException");
        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> fleet.assertNoLeases("cancel"));
        assertThat(carrier.events).as("nothing after the end").hasSize(3);
    }

    private ClusterLimiter limiter(String name, Duration maxWait) {
        return fleet.start(LONG_LEASE, builder -> builder.executor(foreign))
                .limiter(name, 1, maxWait, LimitListener.NONE, carrier);
    }

    private static <T> T as(String value, Supplier<T> action) {
        List<T> result = new ArrayList<>(1);
        ThreadLocalCarrier.as(value, () -> result.add(action.get()));
        return result.get(0);
    }
}
