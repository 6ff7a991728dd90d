package io.kekvault.esxi.disk;

import java.nio.file.Path;

/**
 * Outcome of {@link DiskTransformer#transform}.
 *
 * @param file          the flat file, now in the target form
 * @param bytes         its size
 * @param alreadyDone   true when an earlier, interrupted run of the same transform had already
 *                      completed its rename and nothing was rewritten
 * @param recovery      what was found and cleaned before starting
 * @param workers       crypto worker threads used
 * @param engine        XTS engine name
 * @param pipelineNanos time to read, transform and write all data (page cache)
 * @param totalNanos    wall time including fsyncs and rename
 */
public record TransformResult(Path file, long bytes, boolean alreadyDone, Recovery recovery, int workers,
                              String engine, long pipelineNanos, long totalNanos) {
}
