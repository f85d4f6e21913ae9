package dev.dike.spring.aop;

/** One call of an advised method, e.g. {@code MethodInvocation::proceed}. */
@FunctionalInterface
interface MethodCall {

    /**
     * @return what the method returned
     * @throws Throwable what the method threw
     */
    Object proceed() throws Throwable;
}
