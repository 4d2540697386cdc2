// Backlog gauges per task queue from Temporal's task queue statistics (DescribeTaskQueue with
// reportStats): how many tasks wait and how old the oldest is. The autoscaling signal and the
// backlog alert read them. Every worker process reports the same figures: take max() across them.
import { temporal } from '@temporalio/proto';
import type { MetricMeter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';

const TYPES = {
  workflow: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  activity: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
} as const;

export const BACKLOG_COUNT_METRIC = 'integration_task_queue_backlog';
export const BACKLOG_AGE_METRIC = 'integration_task_queue_backlog_age_seconds';

export interface BacklogWatch {
  /** Reads every queue's statistics once and sets the gauges. */
  refresh(): Promise<void>;
  stop(): void;
}

export function watchBacklogs(options: {
  connection: Pick<NativeConnection, 'workflowService'>;
  namespace: string;
  taskQueues: readonly string[];
  meter: MetricMeter;
  everyMs: number;
  onError?(err: unknown): void;
}): BacklogWatch {
  const { connection, namespace, taskQueues, meter } = options;
  const count = meter.createGauge(BACKLOG_COUNT_METRIC, 'int', '1', 'Tasks waiting in the task queue');
  const age = meter.createGauge(
    BACKLOG_AGE_METRIC,
    'float',
    '1',
    'Age of the oldest task waiting in the task queue',
  );
  async function refresh(): Promise<void> {
    for (const taskQueue of taskQueues)
      for (const [type, taskQueueType] of Object.entries(TYPES)) {
        const { stats } = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType,
          reportStats: true,
        });
        const tags = { task_queue: taskQueue, task_type: type };
        count.set(Number(stats?.approximateBacklogCount ?? 0), tags);
        const backlogAge = stats?.approximateBacklogAge;
        age.set(Number(backlogAge?.seconds ?? 0) + (backlogAge?.nanos ?? 0) / 1e9, tags);
      }
  }
  const timer = setInterval(
    () => void refresh().catch((err: unknown) => options.onError?.(err)),
    options.everyMs,
  );
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
