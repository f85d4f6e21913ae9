package dev.dike.limit;

import java.lang.reflect.Method;
import java.util.List;

import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Model-checks the striped {@link Permits}' counting with lincheck: take, give back and change the
 * limit from several threads, and require every outcome to be explained by some order of the
 * operations on {@link Counter}, the one-counter specification. The model checker runs each
 * generated scenario under many interleavings, switching threads at every shared read and write,
 * including in the middle of a search over the stripes and of a reshare.
 *
 * <p>This is what makes the exactness claim of docs/limit.md checkable: a take refused while a
 * permit was free at every instant of the take, a take past the limit, a give-back that fails while
 * a permit is out, or a limit change lost, is a history no order of {@link Counter} operations
 * explains, and lincheck prints the interleaving that produced it.
 *
 * <p>Two stripes with limits of 0 to 3 make stripe shares of 0, 1 and 2, so that a thread's own stripe
 * is often full (or empty) while the other is not; each take and give-back names the stripe it
 * starts from (its thread's home), so that they cross stripes in every combination. The limit
 * starts at 1 (one stripe has no share at all).
 *
 * <p>Besides the random scenarios, two fixed ones are checked under every interleaving the budget
 * allows, each the shape of a bug this test has found (see docs/reliability.md): a take already
 * searching when the limit is lowered below the permits out, while a permit comes back
 * ({@link #takeSearchingWhileTheLimitIsLowered}), and a take that must not be refused on one pass
 * over the stripes while a permit moves between them ({@link #takeRefusedWhileAPermitMoves}).
 */
@Param(name = "limit", gen = IntGen.class, conf = "0:3")
@Param(name = "home", gen = IntGen.class, conf = "0:1")
public class PermitsLincheckTest {

    private static final int INITIAL_LIMIT = 1;
    private static final int STRIPES = 2;

    private final Permits permits = new Permits(INITIAL_LIMIT, STRIPES);

    @Operation
    public boolean tryTake(@Param(name = "home") int home) {
        Permits.homeForThisThread(home);
        return permits.tryTake();
    }

    @Operation
    public boolean giveBack(@Param(name = "home") int home) {
        Permits.homeForThisThread(home);
        return permits.giveBack();
    }

    @Operation
    public int setLimit(@Param(name = "limit") int limit) {
        return permits.setLimit(limit);
    }

    @Test
    void countsExactlyUnderEveryInterleaving() throws Exception {
        new ModelCheckingOptions()
                .threads(2)
                .actorsPerThread(3)
                .actorsBefore(2)
                .actorsAfter(1)
                .iterations(6)
                .invocationsPerIteration(500)
                .addCustomScenario(takeSearchingWhileTheLimitIsLowered())
                .addCustomScenario(takeRefusedWhileAPermitMoves())
                .sequentialSpecification(Counter.class)
                .check(PermitsLincheckTest.class);
    }

    /**
     * Limit 2, both permits out (one per stripe). One thread takes from stripe 0 while the other
     * lowers the limit to 1 and gives a permit back on stripe 0: every order refuses the take. A take
     * whose search began before the reshare and that finds the returned permit within a share cut
     * to the count would pass the new limit.
     */
    static ExecutionScenario takeSearchingWhileTheLimitIsLowered() throws NoSuchMethodException {
        return new ExecutionScenario(
                List.of(limitTo(2), takeFrom(0), takeFrom(0)),
                List.of(List.of(takeFrom(0)), List.of(limitTo(1), giveBackOn(0))),
                List.of(takeFrom(1)),
                null);
    }

    /**
     * Limit 2, one permit out on stripe 0. One thread gives it back and takes on stripe 1 while the
     * other takes from stripe 0: a permit is free at every instant, so the take must succeed. A
     * search that refused after one pass (stripe 0 read while full, stripe 1 read after the permit
     * moved there) would refuse it.
     */
    static ExecutionScenario takeRefusedWhileAPermitMoves() throws NoSuchMethodException {
        return new ExecutionScenario(
                List.of(limitTo(2), takeFrom(0)),
                List.of(List.of(giveBackOn(0), takeFrom(1)), List.of(takeFrom(0))),
                List.of(),
                null);
    }

    private static Actor takeFrom(int home) throws NoSuchMethodException {
        return actor("tryTake", int.class, home);
    }

    private static Actor giveBackOn(int home) throws NoSuchMethodException {
        return actor("giveBack", int.class, home);
    }

    private static Actor limitTo(int limit) throws NoSuchMethodException {
        return actor("setLimit", int.class, limit);
    }

    private static Actor actor(String operation, Class<?> parameter, Object argument) throws NoSuchMethodException {
        Method method = PermitsLincheckTest.class.getMethod(operation, parameter);
        return new Actor(method, List.of(argument));
    }

    /** The specification: one counter of the permits out, and the limit. */
    public static final class Counter {

        private int limit = INITIAL_LIMIT;
        private int out;

        public boolean tryTake(int home) {
            if (out < limit) {
                out++;
                return true;
            }
            return false;
        }

        public boolean giveBack(int home) {
            if (out > 0) {
                out--;
                return true;
            }
            return false;
        }

        public int setLimit(int limit) {
            int before = this.limit;
            this.limit = limit;
            return before;
        }
    }
}
