package dev.dike.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PermitsTest {

    @ParameterizedTest(name = "limit {0} on {1} stripes")
    @CsvSource({"0,1", "0,4", "1,1", "1,8", "3,4", "4,4", "5,2", "100,64"})
    void hasExactlyTheLimitWhicheverStripesTheThreadsCallFrom(int limit, int stripes) throws Exception {
        Permits permits = new Permits(limit, stripes);

        // Take everything from one thread, so that most permits come from other stripes than its own.
        for (int i = 0; i < limit; i++) {
            assertThat(permits.tryTake()).as("take %d of %d", i + 1, limit).isTrue();
        }
        assertThat(permits.tryTake()).as("one over the limit").isFalse();
        assertThat(onAnotherThread(permits::tryTake)).as("one over the limit, from another thread").isFalse();
        assertThat(permits.inFlight()).isEqualTo(limit);

        // Give everything back from another thread, whose home stripe is another one.
        for (int i = 0; i < limit; i++) {
            assertThat(onAnotherThread(permits::giveBack)).isTrue();
        }
        assertThat(permits.inFlight()).isZero();
        assertThat(permits.giveBack()).as("a give-back without a permit out").isFalse();
        assertThat(permits.inFlight()).isZero();
    }

    @Test
    void sharesTheLimitOutAmongTheStripesAndChangesItAtRuntime() {
        Permits permits = new Permits(2, 4);
        assertThat(permits.limit()).isEqualTo(2);

        assertThat(permits.setLimit(6)).isEqualTo(2);
        for (int i = 0; i < 6; i++) {
            assertThat(permits.tryTake()).isTrue();
        }
        assertThat(permits.tryTake()).isFalse();

        // Lowered below what is out: nothing more until enough came back.
        assertThat(permits.setLimit(3)).isEqualTo(6);
        assertThat(permits.inFlight()).isEqualTo(6);
        for (int i = 0; i < 3; i++) {
            permits.giveBack();
            assertThat(permits.tryTake()).as("still %d out with limit 3", permits.inFlight()).isFalse();
        }
        permits.giveBack();
        assertThat(permits.tryTake()).isTrue();
    }

    @Test
    void countsStripesPerCoreAsAPowerOfTwo() {
        int stripes = Permits.stripesForThisMachine();
        assertThat(Integer.bitCount(stripes)).isEqualTo(1);
        assertThat(stripes).isBetween(Math.min(Runtime.getRuntime().availableProcessors(), Permits.MAX_STRIPES),
                Permits.MAX_STRIPES);
        assertThatThrownBy(() -> new Permits(1, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stripes '3'");
        assertThatThrownBy(() -> new Permits(1, 128)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The case a one-pass search gets wrong. Stripe 0 is full and stripe 1 has the only free permit;
     * a thread at home on stripe 0 searches. Just after it read stripe 0, another thread takes the
     * free permit on stripe 1 and gives one back on stripe 0. The search then finds stripe 1 full
     * too, although a permit was free at every instant: it must see that something moved, and
     * search again.
     */
    @Test
    void aPermitThatMovesDuringASearchIsFound() throws Exception {
        AtomicBoolean moved = new AtomicBoolean();
        Permits[] holder = new Permits[1];
        Permits permits = new Permits(2, 2, () -> {
            if (moved.compareAndSet(false, true)) {
                Permits p = holder[0];
                assertThat(onThreadAtHome(p, 0, () -> p.tryTake() && p.giveBack())).isTrue();
            }
        });
        holder[0] = permits;
        moved.set(true); // no moving while the stage is set
        assertThat(onThreadAtHome(permits, 0, permits::tryTake)).isTrue();
        moved.set(false);

        assertThat(onThreadAtHome(permits, 0, permits::tryTake)).as("take while a permit was free throughout").isTrue();
        assertThat(moved).isTrue();
        assertThat(permits.inFlight()).isEqualTo(2);
    }

    /** The same for a give-back: the permit out moves from stripe 1 to stripe 0 during the search. */
    @Test
    void aGiveBackFindsAPermitThatMovesDuringItsSearch() throws Exception {
        AtomicBoolean moved = new AtomicBoolean(true);
        Permits[] holder = new Permits[1];
        Permits permits = new Permits(2, 2, () -> {
            if (moved.compareAndSet(false, true)) {
                Permits p = holder[0];
                // Takes on stripe 0 (its home) and gives back on stripe 1: one permit out, now on stripe 0.
                assertThat(onThreadAtHome(p, 0, p::tryTake)).isTrue();
                assertThat(onThreadAtHome(p, 1, p::giveBack)).isTrue();
            }
        });
        holder[0] = permits;
        assertThat(onThreadAtHome(permits, 1, permits::tryTake)).isTrue(); // one permit out, on stripe 1
        moved.set(false);

        // At home on stripe 0, which has none out: the search reads stripe 0, then the permit moves there.
        assertThat(onThreadAtHome(permits, 0, permits::giveBack)).as("give-back with a permit out throughout").isTrue();
        assertThat(moved).isTrue();
        assertThat(permits.inFlight()).isZero();
    }

    /**
     * As many threads as permits, each taking one and giving it back in a loop: since a thread never
     * holds one while it takes, at most limit - 1 are out at any instant, and no take may ever fail.
     * A search that refused after one pass over the stripes, instead of proving that all were full at
     * once, fails this within a few thousand rounds.
     */
    @ParameterizedTest(name = "limit {0} on {1} stripes")
    @CsvSource({"2,2", "3,4", "4,4", "2,8", "8,4"})
    void neverRefusesWhileAPermitIsFree(int limit, int stripes) throws Exception {
        Permits permits = new Permits(limit, stripes);
        AtomicLong refused = new AtomicLong();
        AtomicInteger out = new AtomicInteger();
        AtomicInteger mostOut = new AtomicInteger();
        runOnThreads(limit, () -> {
            for (int i = 0; i < 200_000; i++) {
                if (!permits.tryTake()) {
                    refused.incrementAndGet();
                    continue;
                }
                mostOut.accumulateAndGet(out.incrementAndGet(), Math::max);
                out.decrementAndGet();
                assertThat(permits.giveBack()).isTrue();
            }
        });
        assertThat(refused).as("takes refused with a permit free").hasValue(0);
        assertThat(mostOut.get()).isLessThanOrEqualTo(limit);
        assertThat(permits.inFlight()).isZero();
    }

    /**
     * Fewer threads than permits, each holding at most one, while another thread keeps resharing the
     * same limit: a reshare first cuts every share to what its stripe has out, then spreads the spare
     * part, and a take that searched in between would find every stripe full. No take may be refused.
     */
    @Test
    void aTakeDuringAReshareIsNeverRefused() throws Exception {
        Permits permits = new Permits(8, 4);
        AtomicLong refused = new AtomicLong();
        whileLooping(() -> permits.setLimit(8), () -> runOnThreads(3, () -> {
            for (int i = 0; i < 100_000; i++) {
                if (permits.tryTake()) {
                    assertThat(permits.giveBack()).isTrue();
                } else {
                    refused.incrementAndGet();
                }
            }
        }));
        assertThat(refused).as("takes refused with at most 3 of 8 permits out").hasValue(0);
        assertThat(permits.inFlight()).isZero();
    }

    /**
     * More threads than permits, taking on one thread and giving back on another (as an asynchronous
     * call does when its future completes elsewhere): the permits out never exceed the limit, every
     * give-back finds its permit, and all come back.
     */
    @ParameterizedTest(name = "limit {0} on {1} stripes")
    @CsvSource({"1,4", "3,4", "5,8", "16,2"})
    void neverExceedsTheLimitWhenPermitsComeBackOnOtherThreads(int limit, int stripes) throws Exception {
        Permits permits = new Permits(limit, stripes);
        BlockingQueue<Integer> taken = new ArrayBlockingQueue<>(limit);
        AtomicInteger out = new AtomicInteger();
        AtomicInteger mostOut = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        int takers = 2;
        int perTaker = 20_000;
        ExecutorService givers = Executors.newFixedThreadPool(2);
        AtomicInteger givenBack = new AtomicInteger();
        try {
            List<CompletableFuture<?>> giving = new ArrayList<>();
            for (int g = 0; g < 2; g++) {
                giving.add(CompletableFuture.runAsync(() -> {
                    try {
                        while (givenBack.get() < takers * perTaker) {
                            Integer token = taken.poll(10, TimeUnit.MILLISECONDS);
                            if (token == null) {
                                continue;
                            }
                            out.decrementAndGet();
                            if (!permits.giveBack()) {
                                lost.incrementAndGet();
                            }
                            givenBack.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, givers));
            }
            runOnThreads(takers, () -> {
                for (int i = 0; i < perTaker; ) {
                    if (permits.tryTake()) {
                        mostOut.accumulateAndGet(out.incrementAndGet(), Math::max);
                        taken.add(i++); // never full: at most limit permits are out
                    } else {
                        Thread.yield(); // let the givers run: there are more threads than cores
                    }
                }
            });
            CompletableFuture.allOf(giving.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } finally {
            givers.shutdownNow();
        }
        assertThat(mostOut.get()).as("permits out at once").isLessThanOrEqualTo(limit);
        assertThat(lost).as("give-backs that found no permit").hasValue(0);
        assertThat(permits.inFlight()).isZero();
    }

    /**
     * Threads take and give back while another keeps moving the limit between 2 and 6: the permits
     * out never exceed the highest limit, none is lost or left out, and when the dust settles the
     * limit is exactly the last one set.
     */
    @Test
    void limitChangesRacingWithTakesNeverLoseOrInventAPermit() throws Exception {
        Permits permits = new Permits(6, 4);
        AtomicInteger out = new AtomicInteger();
        AtomicInteger mostOut = new AtomicInteger();
        AtomicInteger round = new AtomicInteger();
        whileLooping(() -> permits.setLimit(round.getAndIncrement() % 2 == 0 ? 2 : 6), () -> runOnThreads(4, () -> {
            for (int i = 0; i < 100_000; i++) {
                if (permits.tryTake()) {
                    mostOut.accumulateAndGet(out.incrementAndGet(), Math::max);
                    out.decrementAndGet();
                    assertThat(permits.giveBack()).isTrue();
                }
            }
        }));
        assertThat(mostOut.get()).as("permits out at once").isLessThanOrEqualTo(6);
        assertThat(permits.inFlight()).isZero();

        permits.setLimit(3);
        for (int i = 0; i < 3; i++) {
            assertThat(onAnotherThread(permits::tryTake)).as("take %d of 3 after the race", i + 1).isTrue();
        }
        assertThat(permits.tryTake()).isFalse();
    }

    /** Runs {@code action} on a new thread whose home stripe is {@code home}. */
    private static boolean onThreadAtHome(Permits permits, int home, java.util.function.BooleanSupplier action) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            CompletableFuture<Boolean> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                if (permits.homeIndex() != home) {
                    result.complete(null);
                    return;
                }
                try {
                    result.complete(action.getAsBoolean());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            thread.start();
            Boolean outcome = result.orTimeout(10, TimeUnit.SECONDS).join();
            if (outcome != null) {
                return outcome;
            }
        }
        throw new IllegalStateException("no thread got home stripe " + home);
    }

    private static boolean onAnotherThread(java.util.function.BooleanSupplier action) throws Exception {
        // A new thread gets the next home stripe in turn.
        return CompletableFuture.supplyAsync(action::getAsBoolean, runnable -> new Thread(runnable).start())
                .get(10, TimeUnit.SECONDS);
    }

    /** Repeats {@code step} on a thread of its own until {@code work} is done. */
    private static void whileLooping(Runnable step, Work work) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread looping = new Thread(() -> {
            while (!stop.get()) {
                step.run();
            }
        });
        looping.start();
        try {
            work.run();
        } finally {
            stop.set(true);
            looping.join();
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void runOnThreads(int threads, Runnable body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<CompletableFuture<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    body.run();
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
    }
}
