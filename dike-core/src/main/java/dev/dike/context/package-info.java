/**
 * The one hook through which dike carries a caller's thread-bound context (logging, tracing, security)
 * to the threads where it later runs work for that caller: {@link dev.dike.context.ContextCarrier}.
 */
package dev.dike.context;
