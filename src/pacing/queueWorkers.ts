// How many worker processes poll a task queue now: the distinct identities among the queue's
// recent pollers (DescribeTaskQueue). An idle worker long-polls about once a minute, so a poller
// seen in the last 75 s is alive; one that stopped drops out 75 s later (its share is unused
// meanwhile: the safe direction).
import { temporal } from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';

const LIVE_WITHIN_MS = 75_000;

export interface QueueWorkers {
  /** Workers polling the queue, this one included. */
  count(): number;
  stop(): void;
}

export function watchQueueWorkers(options: {
  connection: Pick<NativeConnection, 'workflowService'>;
  namespace: string;
  taskQueue: string;
  /** This worker's identity: counted before its first poll reaches the server. */
  identity: string;
  everyMs: number;
  onChange?(workers: number): void;
  onError?(err: unknown): void;
}): QueueWorkers {
  let workers = 1;
  async function refresh(): Promise<void> {
    const { pollers } = await options.connection.workflowService.describeTaskQueue({
      namespace: options.namespace,
      taskQueue: { name: options.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    const since = Date.now() - LIVE_WITHIN_MS;
    const live = new Set([options.identity]);
    for (const poller of pollers ?? []) {
      const seenMs = Number(poller.lastAccessTime?.seconds ?? 0) * 1000;
      if (poller.identity && seenMs >= since) live.add(poller.identity);
    }
    if (live.size !== workers) options.onChange?.(live.size);
    workers = live.size;
  }
  const timer = setInterval(
    () => void refresh().catch((err: unknown) => options.onError?.(err)),
    options.everyMs,
  );
  timer.unref();
  void refresh().catch((err: unknown) => options.onError?.(err));
  return { count: () => workers, stop: () => clearInterval(timer) };
}
