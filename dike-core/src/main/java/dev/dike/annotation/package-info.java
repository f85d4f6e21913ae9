/**
 * The three annotations that {@code dike-spring-boot-starter} applies to Spring beans:
 * {@link dev.dike.annotation.Retry}, {@link dev.dike.annotation.LimitJobs} and
 * {@link dev.dike.annotation.Batch}.
 */
package dev.dike.annotation;
