package dev.dike.reliability;

/**
 * The failure a stress test injects on purpose; it carries the id of the call it belongs to, so a
 * caller that receives another call's failure is caught.
 */
final class InjectedFault extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long callId;

    InjectedFault(long callId) {
        super("injected fault of call " + callId, null, false, false);
        this.callId = callId;
    }

    long callId() {
        return callId;
    }
}
