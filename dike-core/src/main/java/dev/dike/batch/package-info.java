/** Merging concurrent calls into batches: {@link dev.dike.batch.Batcher}. */
package dev.dike.batch;
