// What the email activities ask of the sesFeedback workflow through the worker's Temporal client:
// which recipients are suppressed, whether a configuration set is paused, and what was sent.
// No list yet (nothing ever bounced) means nothing is suppressed and nothing paused.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { SES_FEEDBACK, SES_FEEDBACK_WORKFLOW_ID, type Reputation } from '../domain/sesFeedback';
import { CONNECTOR_KEY } from '../domain/search-attributes';
import { addressKey } from '../vendors/sesAddress';

async function orNothing<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The addresses among `addresses` on the suppression list. */
export async function suppressedAmong(client: Client, addresses: string[]): Promise<Set<string>> {
  const keys = addresses.map(addressKey);
  const handle = client.workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID);
  const hit = new Set(
    (await orNothing(() => handle.query<string[], [string[]]>(SES_FEEDBACK.suppressed, keys))) ?? [],
  );
  return new Set(addresses.filter((_, i) => hit.has(keys[i]!)));
}

export async function reputation(client: Client, configurationSet: string): Promise<Reputation | undefined> {
  const handle = client.workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID);
  const all = await orNothing(() => handle.query<Reputation[]>(SES_FEEDBACK.reputation));
  return all?.find((r) => r.configurationSet === configurationSet);
}

/** Counts sends for the rolling rates (starts the list when it is not running yet). */
export async function reportSent(client: Client, configurationSet: string, count: number): Promise<void> {
  if (count === 0) return;
  await client.workflow.signalWithStart(SES_FEEDBACK.workflowType, {
    workflowId: SES_FEEDBACK_WORKFLOW_ID,
    taskQueue: Context.current().info.taskQueue,
    args: [{}],
    signal: SES_FEEDBACK.sent,
    signalArgs: [{ configurationSet, count }],
    typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'ses' }],
  });
}
