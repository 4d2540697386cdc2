// Producer side of the dead-letter queues: signal-with-start `dlq-<connector>`, so the first failure
// of a connector creates its queue and later ones join it. The `deadLetter` activity serves
// workflows; `sendToDeadLetter` serves activities that already hold their failed records.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { countRecords } from './shared/recordMetrics';
import type { Client } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import {
  deadLetterQueueWorkflowId,
  validateDeadLetterInput,
  type DeadLetterInput,
} from '../domain/deadLetter';

export interface DeadLetterDeps {
  /** How long items stay after their latest failure (config DLQ_RETENTION). */
  retention?: Duration;
}

/** Signals each connector's queue once with its items (starting the queue if needed). */
export async function sendToDeadLetter(
  client: Client,
  taskQueue: string,
  items: DeadLetterInput[],
  retention?: Duration,
): Promise<{ connector: string; count: number }[]> {
  const problems = items.flatMap(validateDeadLetterInput);
  if (problems.length)
    throw ApplicationFailure.create({
      message: problems.join('; '),
      type: 'InvalidDeadLetter',
      nonRetryable: true,
    });
  const byConnector = new Map<string, DeadLetterInput[]>();
  for (const item of items)
    byConnector.set(item.connector, [...(byConnector.get(item.connector) ?? []), item]);
  const sent: { connector: string; count: number }[] = [];
  for (const [connector, group] of byConnector) {
    await client.workflow.signalWithStart('deadLetterQueue', {
      workflowId: deadLetterQueueWorkflowId(connector),
      taskQueue,
      args: [{ connector, ...(retention !== undefined ? { retention } : {}) }],
      signal: 'add',
      signalArgs: [group],
    });
    sent.push({ connector, count: group.length });
  }
  return sent;
}

/** Fills in source (the calling activity's workflow) and failedAt when the producer left them out. */
export function fromCurrentActivity(
  items: (Omit<DeadLetterInput, 'source' | 'failedAt'> &
    Partial<Pick<DeadLetterInput, 'source' | 'failedAt'>>)[],
): DeadLetterInput[] {
  const execution = Context.current().info.workflowExecution;
  const now = new Date().toISOString();
  return items.map((i) => ({
    ...i,
    failedAt: i.failedAt ?? now,
    source: i.source ?? { workflowId: execution?.workflowId ?? 'standalone', runId: execution?.runId },
  }));
}

export function createDeadLetterActivities(deps: DeadLetterDeps = {}) {
  return {
    /** Sends items to their connectors' dead-letter queues (for workflows). */
    async deadLetter(items: DeadLetterInput[]): Promise<{ connector: string; count: number }[]> {
      const ctx = Context.current();
      const sent = await sendToDeadLetter(
        ctx.client,
        ctx.info.taskQueue,
        fromCurrentActivity(items),
        deps.retention,
      );
      countDeadLettered(items);
      return sent;
    },
  };
}

/** `integration_records_total{outcome="dead_lettered"}` per connector and kind (in an activity). */
export function countDeadLettered(items: Pick<DeadLetterInput, 'connector' | 'kind'>[]): void {
  const byQueue = new Map<string, { connector: string; kind: string; n: number }>();
  for (const { connector, kind } of items) {
    const entry = byQueue.get(`${connector}\n${kind}`) ?? { connector, kind, n: 0 };
    entry.n++;
    byQueue.set(`${connector}\n${kind}`, entry);
  }
  for (const { connector, kind, n } of byQueue.values())
    countRecords(connector, `dead-letter.${kind}`, { dead_lettered: n });
}
