// One Salesforce step of a workflow: inside the allocation (parks under the reserve) and holding a
// lease of the cross-worker pool while it runs. Parking happens outside the lease, so a parked run
// never holds a slot for hours. Also the job-state poll on durable timers both Bulk paths share.
import type { Duration } from '@temporalio/common';
import { ApplicationFailure, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { durationMs } from '../../domain/duration';
import type { ApiUsage } from '../../domain/salesforce';
import { withinAllocation, type LimitGuard } from './limits';
import type { PoolLease } from './pool';

export const sf = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
});

export interface StepContext {
  guard: LimitGuard;
  state: { usage?: ApiUsage };
  what: string;
  lease: PoolLease;
}

export function step<T extends { usage?: ApiUsage }>(ctx: StepContext, call: () => Promise<T>): Promise<T> {
  return withinAllocation(ctx.guard, ctx.state, ctx.what, () => ctx.lease(call));
}

/** Polls a Bulk job on durable timers (doubling from `initial` to `max`) until it is finished. */
export async function awaitJob(
  ctx: StepContext,
  kind: 'query' | 'ingest',
  jobId: string,
  poll: { initial: Duration; max: Duration },
): Promise<{ processed: number; failed: number }> {
  let delay = durationMs(poll.initial);
  for (;;) {
    const job = await step(ctx, () => sf.salesforceBulkJobState({ kind, jobId }));
    if (job.state === 'JobComplete') return job;
    if (job.state === 'Failed' || job.state === 'Aborted')
      throw ApplicationFailure.create({
        message: `Bulk ${kind} job ${jobId} ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
        type: 'BulkJobFailed',
        nonRetryable: true,
      });
    await sleep(delay);
    delay = Math.min(delay * 2, durationMs(poll.max));
  }
}
