package dev.dike.limit;

import java.util.concurrent.locks.LockSupport;

/**
 * The ticket of a synchronous call that may block its own thread while it waits for a permit.
 * The grant or the timeout only records the outcome and unparks the thread, which then runs the
 * operation or throws. The granting thread writes {@link #grantedNanos} before the outcome, so the
 * woken thread, having read the outcome, reads the time of the grant.
 */
final class BlockingTicket extends Ticket {

    private static final Object PERMITTED = new Object();

    private final Thread caller;
    /** {@link #PERMITTED} or the exception to throw ({@link TooManyCallsException} or a refusal); written once. */
    private volatile Object outcome;

    BlockingTicket(JobLimiter limiter, Thread caller) {
        super(limiter);
        this.caller = caller;
    }

    @Override
    void onPermit(boolean handedOver) {
        outcome = PERMITTED;
        LockSupport.unpark(caller);
    }

    @Override
    void onRejected(RuntimeException rejection, boolean fromTimer) {
        outcome = rejection;
        LockSupport.unpark(caller);
    }

    /**
     * Parks until the permit is granted or the wait times out.
     *
     * @throws TooManyCallsException when the wait timed out
     * @throws java.util.concurrent.RejectedExecutionException when the scheduler refused to time the wait
     * @throws InterruptedException  when interrupted before a permit was granted; no permit is held
     */
    void await() throws InterruptedException {
        boolean interrupted = false;
        Object result;
        while ((result = outcome) == null) {
            LockSupport.park(this);
            if (Thread.interrupted()) {
                if (withdraw()) {
                    limiter.abandon(this);
                    throw new InterruptedException("Interrupted while waiting for a permit of limiter " + limiter.name());
                }
                // Granted or timed out at the same moment: that outcome is on its way; keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (result != PERMITTED) {
            throw (RuntimeException) result;
        }
    }
}
