// `npm start` ends by running the daily digest once more, after the first run of every schedule
// has finished, and prints it: what #integration-ops receives at 09:00.
import type { Client } from '@temporalio/client';
import type { DeadLetterItemSummary } from '../src/domain/deadLetter';
import { digestText } from '../src/domain/digest';
import { CONNECTOR_KEY } from '../src/schedules';
import type { DailyDigestResult } from '../src/workflows/dailyDigest';

export async function showDigest(
  client: Client,
  taskQueue: string,
  say: (line: string) => void,
): Promise<void> {
  try {
    const result = (await client.workflow.execute('dailyDigest', {
      taskQueue,
      workflowId: `daily-digest-start-${Date.now()}`,
      args: [{}],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'platform' }],
      workflowExecutionTimeout: '2 minutes',
    })) as DailyDigestResult;
    say(`daily digest (Slack ${result.posted.slack}, Teams ${result.posted.teams}):`);
    for (const line of digestText(result.digest, 10_000).split('\n')) say(`  ${line}`);
  } catch (err) {
    say(`daily digest failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Prints what the dead-letter queues hold after the first runs (`npm run cli -- dlq list` shows the same). */
export async function showDeadLetters(client: Client, say: (line: string) => void): Promise<void> {
  const queues = client.workflow.list({
    query: `WorkflowType = 'deadLetterQueue' AND ExecutionStatus = 'Running'`,
  });
  for await (const queue of queues) {
    const items = await client.workflow.getHandle(queue.workflowId).query<DeadLetterItemSummary[]>('items');
    say(`dead letters in ${queue.workflowId}: ${items.length}`);
    for (const item of items.slice(0, 5))
      say(`  ${item.id}  ${item.error.type}: ${item.error.message}  (attempts ${item.attempts})`);
  }
}
