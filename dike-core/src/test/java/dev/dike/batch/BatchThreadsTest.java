package dev.dike.batch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The default executor grows like a cached pool up to its limit, then queues. */
class BatchThreadsTest {

    private final ThreadPoolExecutor pool = BatchThreads.create("test-batch-", 2);
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        pool.shutdown();
    }

    private Runnable blocker(List<String> ran) {
        return () -> {
            ran.add(Thread.currentThread().getName());
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
        };
    }

    @Test
    void growsToItsLimitThenQueuesAndRunsEverything() {
        List<String> ran = new CopyOnWriteArrayList<>();

        for (int task = 0; task < 5; task++) {
            pool.execute(blocker(ran));
        }

        assertThat(pool.getPoolSize()).isEqualTo(2);
        assertThat(pool.getQueue()).hasSize(3);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 5);
        assertThat(pool.getLargestPoolSize()).isEqualTo(2);
        assertThat(ran).allSatisfy(name -> assertThat(name).matches("test-batch-[12]"));
    }

    @Test
    void idleThreadIsReusedInsteadOfStartingAnother() {
        List<String> ran = new CopyOnWriteArrayList<>();
        pool.execute(ran::size);
        LinkedTransferQueue<Runnable> queue = (LinkedTransferQueue<Runnable>) pool.getQueue();
        await().atMost(Duration.ofSeconds(5)).until(queue::hasWaitingConsumer);

        pool.execute(() -> ran.add(Thread.currentThread().getName()));

        await().atMost(Duration.ofSeconds(5)).until(() -> ran.size() == 1);
        assertThat(pool.getLargestPoolSize()).isEqualTo(1);
        assertThat(ran).containsExactly("test-batch-1");
    }

    @Test
    void threadsAreDaemons() throws Exception {
        CopyOnWriteArrayList<Boolean> daemon = new CopyOnWriteArrayList<>();
        pool.execute(() -> daemon.add(Thread.currentThread().isDaemon()));
        await().atMost(Duration.ofSeconds(5)).until(() -> daemon.size() == 1);
        assertThat(daemon).containsExactly(true);
    }

    @Test
    void refusesOnceShutDown() {
        pool.shutdown();

        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void sharedPoolIsBoundedAndNamed() {
        ThreadPoolExecutor shared = (ThreadPoolExecutor) BatchThreads.shared();

        assertThat(shared.getMaximumPoolSize()).isEqualTo(BatchThreads.MAX_THREADS);
        assertThat(shared.getCorePoolSize()).isZero();
    }
}
