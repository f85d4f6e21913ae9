/** The one source of time and delays of every dike primitive: {@link dev.dike.time.DelayScheduler}. */
package dev.dike.time;
