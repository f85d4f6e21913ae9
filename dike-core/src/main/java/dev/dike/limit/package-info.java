/** Concurrency limiting that sheds load: {@link dev.dike.limit.JobLimiter}. */
package dev.dike.limit;
