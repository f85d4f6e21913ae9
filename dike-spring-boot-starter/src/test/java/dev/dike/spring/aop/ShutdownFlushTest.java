package dev.dike.spring.aop;

import dev.dike.annotation.Batch;
import dev.dike.spring.autoconfigure.DikeAutoConfiguration;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing the application flushes queued batch calls and waits for them before beans are destroyed. */
class ShutdownFlushTest {

    @Test
    void closingTheContextRunsQueuedCallsBeforeDestroyingBeans() {
        AtomicInteger methodCalls = new AtomicInteger();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class))
                .withBean(SlowBatch.class)
                .run(context -> {
                    SlowBatch bean = context.getBean(SlowBatch.class);
                    CompletableFuture<List<String>> queued = bean.lookup(List.of("a", "b"));
                    assertThat(queued).isNotDone();

                    ((ConfigurableApplicationContext) context.getSourceApplicationContext()).close();

                    assertThat(queued).isCompletedWithValue(List.of("A", "B"));
                    assertThat(bean.destroyedBeforeBatchEnded()).isFalse();
                    methodCalls.set(bean.calls());
                });
        assertThat(methodCalls).hasValue(1);
    }

    static class SlowBatch implements DisposableBean {

        private final AtomicInteger calls = new AtomicInteger();
        private volatile boolean destroyed;
        private volatile boolean destroyedBeforeBatchEnded;

        // Never reaches its size and would wait an hour: only the shutdown flush can run it.
        @Batch(targetBatchSize = 100, maxWaitingTime = "1h")
        public CompletableFuture<List<String>> lookup(List<String> keys) {
            calls.incrementAndGet();
            return CompletableFuture.supplyAsync(() -> {
                sleepBriefly();
                destroyedBeforeBatchEnded = destroyed;
                return keys.stream().map(String::toUpperCase).toList();
            });
        }

        public int calls() {
            return calls.get();
        }

        public boolean destroyedBeforeBatchEnded() {
            return destroyedBeforeBatchEnded;
        }

        @Override
        public void destroy() {
            destroyed = true;
        }

        private static void sleepBriefly() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
