// Several batches of a full import at once. The scan notes where every batch starts, so a batch no
// longer waits for the one before it to say where it ended: while one batch writes to ERPNext, the
// next reads and parses its rows, and Temporal's time between activities overlaps with work.
// Batches are independent (each upserts its own rows; repeated ids come from the scan), so their
// order does not change what ERPNext ends up holding.
import type { Duration } from '@temporalio/common';
import type { BatchStart, ImportBatchResult } from '../../activities/workday/fullImport';
import type { Region } from '../../domain/employee';
import { mapConcurrent } from '../shared/mapConcurrent';
import { batchActivities, type FullProgress } from './fullImport';

/** Three batches at once: measured faster than two on 2 cores (docs/benchmarks.md), memory within 300 MB. */
export const DEFAULT_BATCH_LANES = 3;
/** The default before `workday-three-batch-lanes`: runs started with it keep it on replay. */
export const FORMER_DEFAULT_BATCH_LANES = 2;

export type LaneProgress = FullProgress & { batchStarts: BatchStart[] };

/** Progress from a scan that noted batch starts (runs scanned by older code go one batch at a time). */
export function hasBatchStarts(progress: FullProgress): progress is LaneProgress {
  return progress.batchStarts !== undefined;
}

export interface LaneOptions {
  batchSize: number;
  lanes: number;
  heartbeatTimeout?: Duration;
  /** At most this many batches before returning (the workflow may continue as new in between). */
  maxBatches: number;
}

/**
 * Imports up to `maxBatches` of the batches left in `progress.batchStarts`, `lanes` at a time, and
 * calls `onBatch` as each completes. The starts are removed only once the whole round completed, so
 * progress carried over continue-as-new never skips a batch that had not finished.
 */
export async function importRound(
  progress: LaneProgress,
  options: LaneOptions,
  /** Runs a batch through the breakers; `defer`: regions whose breaker refused, sent to their DLQ. */
  call: <T>(step: (defer: Region[]) => Promise<T>) => Promise<T>,
  onBatch: (batch: ImportBatchResult) => void,
): Promise<void> {
  const starts = progress.batchStarts;
  const round = starts.slice(0, options.maxBatches);
  const activities = batchActivities(options.heartbeatTimeout);
  await mapConcurrent(round, options.lanes, async (start, index) => {
    const nextLine = starts[index + 1]?.line ?? Infinity;
    const duplicates = progress.duplicates.filter((d) => d.line >= start.line && d.line < nextLine);
    const batch = await call((defer) =>
      activities.workdayImportBatch({
        file: progress.inspection.file,
        header: progress.inspection.header,
        offset: start.offset,
        line: start.line,
        batchSize: options.batchSize,
        mapping: progress.decision?.mapping,
        duplicates: duplicates.length > 0 ? duplicates : undefined,
        ...(defer.length > 0 && { deferRegions: defer }),
      }),
    );
    onBatch(batch);
  });
  progress.batchStarts = starts.slice(round.length);
  const next = progress.batchStarts[0];
  if (next) {
    progress.offset = next.offset;
    progress.line = next.line;
    progress.duplicates = progress.duplicates.filter((d) => d.line >= next.line);
  }
}
