package dev.dike.spring.autoconfigure;

import dev.dike.annotation.Batch;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** A bulk method that does not fit its single-item method stops startup, naming both and every mismatch. */
class SingleItemBatchStartupTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class, DikeAutoConfiguration.class))
            .withPropertyValues("dike.batch.defaults.target-batch-size=10");

    @Test
    void aMissingBulkMethodIsNamed() {
        failsWith(NoBulk.class, message -> message.startsWith("Invalid @Batch method: bean 'noBulk' method "
                + "NoBulk.price(String) cannot use its bulkMethod NoBulk.prices: the bean has no method named 'prices'."));
    }

    @Test
    void everyMismatchIsListedAtOnce() {
        failsWith(AllWrong.class, message -> message
                .startsWith("Invalid @Batch method: bean 'allWrong' method AllWrong.price(String, int) cannot use its "
                        + "bulkMethod AllWrong.prices(Set, long): ")
                .contains("(1) its first parameter holds Integer, but the key is a String")
                .contains("(2) its parameter 2 is a long, but the single method's batch key there is a int")
                .contains("(3) its Map's keys are Integer, but the key is a String")
                .contains("(4) its values are Long, but the single method returns String"));
    }

    @Test
    void notPublicWrongCountAndWrongShapesAreNamed() {
        failsWith(Hidden.class, message -> message.contains("the bulk method is not public"));
        failsWith(WrongCount.class, message -> message
                .contains("the bulk method takes 1 parameter(s); it needs 2: a Collection, Set or List of the keys, "
                        + "then the same batch-key parameters as the single method"));
        failsWith(NotACollection.class, message -> message
                .contains("its first parameter is a String, not a Collection, Set or List of the keys")
                .contains("it returns java.lang.String, not a Map from key to value or a List of values"));
        failsWith(FluxBulk.class, message -> message
                .contains("its return type reactor.core.publisher.Flux<java.lang.String> is not supported"));
    }

    @Test
    void theSingleMethodNeedsAKeyAndAValueThatCanBeMissing() {
        failsWith(NoKey.class, message -> message.contains(": it has no parameter: its first parameter is the item (the key)."));
        failsWith(PrimitiveValue.class, message -> message.contains("it returns long, which cannot be null for a "
                + "missing key; return Long"));
    }

    @Test
    void theActionShowsTheBulkMethodToDeclare() {
        runner.withBean("noBulk", NoBulk.class).run(context -> assertThat(
                DikeStartupErrorsTest.dikeFailure(context.getStartupFailure()).action()).startsWith("Declare a public bulk method on the same bean such as Map<String, String> "
                        + "prices(Collection<String>)"));
    }

    @Test
    void missingKeyOnAListModeInstanceIsRejected() {
        failsWith(ListMode.class, message -> message.contains("dike.batch.instances.list-mode.missing-key=fail")
                .contains("applies only to single-item methods"), "dike.batch.instances.list-mode.missing-key=fail");
    }

    @Test
    void aFittingBulkMethodStarts() {
        runner.withBean("fits", Fits.class).run(context -> assertThat(context).hasNotFailed());
        runner.withBean("fitsGenerically", FitsGenerically.class).run(context -> assertThat(context).hasNotFailed());
    }

    /** Old code compared erased classes only: List<Integer> values passed for List<String>, and failed in callers. */
    @Test
    void genericArgumentsOfValuesAndBatchKeysMustFitToo() {
        failsWith(GenericMismatch.class, message -> message
                .contains("(1) its parameter 2 is a List<Integer>, but the single method's batch key there is a "
                        + "List<String>")
                .contains("(2) its values are List<Integer>, but the single method returns List<String>"));
        failsWith(LowerBoundedValues.class, message -> message
                .contains("its values are ? super String, but the single method returns String"));
    }

    /** Old code took whichever overload reflection listed first, so startup depended on the JVM's order. */
    @Test
    void overloadedBulkMethodsAreNamed() {
        failsWith(Overloaded.class, message -> message.contains("the bean has 2 public methods named 'prices' with "
                + "1 parameter(s) (Overloaded.prices(List), Overloaded.prices(Set)): give the bulk method a name of "
                + "its own"));
    }

    @Test
    void aVoidSingleMethodIsNamed() {
        failsWith(VoidSingle.class, message -> message.contains("it returns void: it must return the key's value"));
    }

    private void failsWith(Class<?> bean, Consumer<AbstractStringAssert<?>> message, String... properties) {
        String name = Character.toLowerCase(bean.getSimpleName().charAt(0)) + bean.getSimpleName().substring(1);
        runner.withBean(name, bean).withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            message.accept(assertThat(DikeStartupErrorsTest.dikeFailure(context.getStartupFailure()).getMessage()));
        });
    }

    public static class NoBulk {
        @Batch(bulkMethod = "prices")
        public String price(String sku) {
            return null;
        }
    }

    public static class AllWrong {
        @Batch(bulkMethod = "prices")
        public String price(String sku, int quantity) {
            return null;
        }

        public Map<Integer, Long> prices(Set<Integer> skus, long quantity) {
            return Map.of();
        }
    }

    public static class Hidden {
        @Batch(bulkMethod = "prices")
        public CompletableFuture<String> price(String sku) {
            return null;
        }

        Map<String, String> prices(Set<String> skus) {
            return Map.of();
        }
    }

    public static class WrongCount {
        @Batch(bulkMethod = "prices")
        public Mono<String> price(String sku, String currency) {
            return null;
        }

        public Map<String, String> prices(Collection<String> skus) {
            return Map.of();
        }
    }

    public static class NotACollection {
        @Batch(bulkMethod = "prices")
        public String price(String sku) {
            return null;
        }

        public String prices(String skus) {
            return skus;
        }
    }

    public static class FluxBulk {
        @Batch(bulkMethod = "prices")
        public String price(String sku) {
            return null;
        }

        public Flux<String> prices(List<String> skus) {
            return Flux.fromIterable(skus);
        }
    }

    public static class NoKey {
        @Batch(bulkMethod = "prices")
        public String price() {
            return null;
        }

        public List<String> prices(List<String> skus) {
            return skus;
        }
    }

    public static class PrimitiveValue {
        @Batch(bulkMethod = "prices")
        public long price(String sku) {
            return 0;
        }

        public List<Long> prices(List<String> skus) {
            return List.of();
        }
    }

    public static class ListMode {
        @Batch(name = "list-mode")
        public List<String> lookUp(List<String> skus) {
            return skus;
        }
    }

    public static class GenericMismatch {
        @Batch(bulkMethod = "allTags")
        public CompletableFuture<List<String>> tags(String sku, List<String> regions) {
            return null;
        }

        public Map<String, List<Integer>> allTags(Set<String> skus, List<Integer> regions) {
            return Map.of();
        }
    }

    public static class LowerBoundedValues {
        @Batch(bulkMethod = "names")
        public String name(String sku) {
            return null;
        }

        public Map<String, ? super String> names(Set<String> skus) {
            return Map.of();
        }
    }

    public static class Overloaded {
        @Batch(bulkMethod = "prices")
        public String price(String sku) {
            return null;
        }

        public List<String> prices(List<String> skus) {
            return skus;
        }

        public Map<String, String> prices(Set<String> skus) {
            return Map.of();
        }
    }

    public static class VoidSingle {
        @Batch(bulkMethod = "prices")
        public void price(String sku) {
        }

        public List<String> prices(List<String> skus) {
            return skus;
        }
    }

    public static class FitsGenerically {
        @Batch(bulkMethod = "allTags")
        public CompletableFuture<List<? extends CharSequence>> tags(Integer sku, Map<String, Integer> weights) {
            return null;
        }

        public Map<Number, List<String>> allTags(Collection<? super Integer> skus, Map<String, Integer> weights) {
            return Map.of();
        }
    }

    public static class Fits {
        @Batch(bulkMethod = "prices")
        public Mono<CharSequence> price(Integer sku, String currency) {
            return null;
        }

        public CompletableFuture<List<String>> prices(Collection<Number> skus, String currency) {
            return null;
        }
    }
}
