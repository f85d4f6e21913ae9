package dev.dike.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The permits a {@link JobLimiter} has out, counted on several {@link PermitStripe stripes} so that
 * threads on different cores take and give back permits without writing the same memory.
 *
 * <p>Why: with one shared counter, every call moves that counter's cache line from core to core
 * twice, once to take and once to give back; with two busy cores that costs more than the rest of a
 * call through a Spring proxy (docs/benchmarks.md). Here each thread has a home stripe and only
 * looks at the others when its own is full (to take) or empty (to give back).
 *
 * <p>The limit stays exact. Each stripe's quota is a share of the limit, the shares add up to the
 * limit, and no stripe hands out more than its quota, so the permits out never exceed the limit. A
 * take is refused only when every stripe was full at one instant: a pass over the stripes that found
 * none free is followed by a second pass, and the two must read the same words, whose change stamps
 * prove that nothing moved in between. If something moved, the search starts over. A give-back
 * likewise fails only when no stripe had a permit out at one instant.
 *
 * <p>Changing the limit reshares it, under a lock, so that no stripe ever has more out than its
 * share. A take whose search overlapped a reshare does not trust what it saw and decides again
 * under that lock. When the limit is lowered below the permits out, the stripes cannot tell on
 * their own when the total is back under it: until it is, every share is zero and every take goes
 * through that lock and counts the total. The zero shares also stop a take that read the state
 * before the limit was lowered and is still searching: a share cut to its stripe's count would give
 * it the first permit that comes back, past the new limit (lincheck found that interleaving:
 * {@code PermitsLincheckTest}). So a reshare never raises a share it cuts, and the shares it hands
 * out afterwards are computed from the counts it cut them to.
 */
final class Permits {

    /** Most stripes a limiter gets, however many cores the machine has. */
    static final int MAX_STRIPES = 64;

    /** Hands out home stripes in turn, so that threads started one after another spread evenly. */
    private static final AtomicInteger NEXT_HOME = new AtomicInteger();
    private static final ThreadLocal<Integer> HOME = ThreadLocal.withInitial(NEXT_HOME::getAndIncrement);

    private static final Runnable NOTHING = () -> { };

    private final PermitStripe[] stripes;
    private final int mask;
    /** Runs after each stripe a search reads: lets tests move permits in the middle of a search. */
    private final Runnable afterStripeRead;
    /** Written only under this object's lock. */
    private volatile int limit;
    /** More permits are out than the limit allows (it was lowered): takes go through the lock. */
    private volatile boolean overLimit;
    /**
     * Counts reshares, twice each: odd while one runs. Mid-reshare the shares are cut to what each
     * stripe has out, so a search then would find every stripe full; a take whose search overlapped
     * a reshare decides again under the lock instead of refusing.
     */
    private volatile int reshares;
    /** Each stripe's count when {@link #reshare()} cut its share; only used under this object's lock. */
    private final int[] cutCounts;

    /**
     * @param limit   the permits that may be out, at least 0
     * @param stripes how many stripes to count on: a power of two, at most {@link #MAX_STRIPES}
     */
    Permits(int limit, int stripes) {
        this(limit, stripes, NOTHING);
    }

    Permits(int limit, int stripes, Runnable afterStripeRead) {
        if (stripes < 1 || stripes > MAX_STRIPES || Integer.bitCount(stripes) != 1) {
            throw new IllegalArgumentException("Invalid stripes '" + stripes + "': must be a power of two from 1 to "
                    + MAX_STRIPES);
        }
        this.stripes = new PermitStripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new PermitStripe();
        }
        this.mask = stripes - 1;
        this.cutCounts = new int[stripes];
        this.afterStripeRead = afterStripeRead;
        setLimit(limit);
    }

    /** @return one stripe per core, rounded up to a power of two, at most {@link #MAX_STRIPES} */
    static int stripesForThisMachine() {
        int cores = Runtime.getRuntime().availableProcessors();
        return cores <= 1 ? 1 : Math.min(MAX_STRIPES, Integer.highestOneBit(cores - 1) << 1);
    }

    /** @return the permits that may be out */
    int limit() {
        return limit;
    }

    /**
     * Sets a new limit and shares it out among the stripes. Serialized with every other change of
     * the shares. A take or give-back concurrent with the change may see some stripes' old share.
     *
     * @return the limit before
     */
    synchronized int setLimit(int limit) {
        int before = this.limit;
        this.limit = limit;
        reshare();
        return before;
    }

    /** @return the permits out now; above the limit for a while after the limit was lowered */
    int inFlight() {
        int sum = 0;
        for (PermitStripe stripe : stripes) {
            sum += PermitStripe.count(stripe.word());
        }
        return sum;
    }

    /** Takes a permit if fewer than the limit are out. */
    boolean tryTake() {
        int reshared = reshares;
        if ((reshared & 1) == 0 && !overLimit) {
            if (home().tryTake() || takeElsewhere()) {
                return true;
            }
            if (reshares == reshared) {
                return false; // no reshare overlapped the search: every stripe was full at one instant
            }
        }
        return takeUnderLock();
    }

    /** Gives a permit back; {@code false}, changing nothing, if no permit was out. */
    boolean giveBack() {
        return home().tryGiveBack() || giveBackElsewhere();
    }

    /**
     * A take that met a reshare, or found more permits out than the limit allows. No reshare runs
     * while the lock is held, so the search here is exact. Over the limit (it was lowered), no stripe
     * may take on its own, since a permit coming back on one stripe does not bring the total below
     * the limit: each take reshares instead, which ends that state once the total is below it again.
     */
    private synchronized boolean takeUnderLock() {
        if (overLimit) {
            reshare();
        }
        return !overLimit && (home().tryTake() || takeElsewhere());
    }

    /**
     * Gives each stripe a share that covers the permits out on it, and the rest of the limit evenly.
     * If the permits out exceed the limit, every share is zero, and takes wait in
     * {@link #takeUnderLock} until enough have come back.
     *
     * <p>First every share is cut to what its stripe has out (a zero share stays zero), then the
     * spare part of the limit is added to the counts cut to. Between the two, permits coming back
     * only make room within a share that was in force before, so a take that slips in there is one
     * the limit before allowed; no take can push a stripe past its share.
     */
    private void reshare() {
        reshares++; // odd: a reshare runs (only under the lock, so no other thread writes it)
        try {
            int out = 0;
            for (int i = 0; i < stripes.length; i++) {
                cutCounts[i] = cutShareToCount(stripes[i]);
                out += cutCounts[i];
            }
            int spare = limit - out;
            overLimit = spare < 0;
            for (int i = 0; i < stripes.length; i++) {
                PermitStripe stripe = stripes[i];
                // Over the limit, a share equal to the count would let a take that read the state
                // before the limit was lowered have the first permit that comes back on this stripe.
                stripe.quota(overLimit ? 0 : cutCounts[i] + spare / stripes.length + (i < spare % stripes.length ? 1 : 0));
                stripe.changeStamp();
            }
        } finally {
            reshares++; // even again
        }
    }

    /**
     * Cuts a stripe's share to its permits out, in step with the count: the share is written, then
     * the stamp raised by a compare-and-set against the word the count was read from. A take that
     * slipped in between makes that fail, and the share is cut again to the new count. A share below
     * the count (zero, over the limit) is left as it is: raising it would make room that no limit
     * allows.
     *
     * @return the stripe's permits out
     */
    private static int cutShareToCount(PermitStripe stripe) {
        while (true) {
            long word = stripe.word();
            int count = PermitStripe.count(word);
            stripe.quota(Math.min(stripe.quota(), count));
            if (stripe.changeStamp(word)) {
                return count;
            }
        }
    }

    private PermitStripe home() {
        return stripes[homeIndex()];
    }

    /** @return the index of the calling thread's home stripe */
    int homeIndex() {
        return HOME.get() & mask;
    }

    /** For tests: makes stripe {@code index} (modulo the number of stripes) the calling thread's home. */
    static void homeForThisThread(int index) {
        HOME.set(index);
    }

    private boolean takeElsewhere() {
        return searchStripes(true);
    }

    private boolean giveBackElsewhere() {
        return searchStripes(false);
    }

    /**
     * Takes, or gives back, on the first stripe that has room for it. Fails only if two passes found
     * no room and read the same words: then no stripe had room at one instant, between the passes.
     */
    private boolean searchStripes(boolean take) {
        search:
        while (true) {
            long seen = 0L;
            for (PermitStripe stripe : stripes) {
                long word = stripe.word();
                afterStripeRead.run();
                int count = PermitStripe.count(word);
                if (take ? count < stripe.quota() : count > 0) {
                    if (take ? stripe.tryTake() : stripe.tryGiveBack()) {
                        return true;
                    }
                    continue search; // the stripe changed since it was read: search again
                }
                seen += word;
            }
            if (sumOfWords() == seen) {
                return false;
            }
        }
    }

    /**
     * The sum of every stripe's word. Equal sums over two passes mean equal words: a change raises a
     * stripe's stamp, and the sum could only come back to the same value after about 4 billion
     * changes between the two passes.
     */
    private long sumOfWords() {
        long sum = 0L;
        for (PermitStripe stripe : stripes) {
            sum += stripe.word();
        }
        return sum;
    }
}
