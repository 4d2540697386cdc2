// What the email activities ask of the sesFeedback workflow through the worker's Temporal client:
// which recipients are suppressed, whether a configuration set is paused, and what was sent.
// No list yet (nothing ever bounced) means nothing is suppressed and nothing paused.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { SES_FEEDBACK, SES_FEEDBACK_WORKFLOW_ID, type Reputation } from '../domain/sesFeedback';
import { CONNECTOR_KEY } from '../domain/search-attributes';
import { addressKey } from '../vendors/sesAddress';
import { boundedTemporalCall } from './shared/temporalCall';

/** How long a query may wait for the list's worker before the send's attempt gives up (and retries). */
export const LIST_QUERY_TIMEOUT_MS = 10_000;

/**
 * A query to the list: none yet → undefined. Bounded (shared/temporalCall.ts): an unanswered list
 * fails the send's attempt (retried) rather than mailing blind or hanging its worker.
 */
async function queryList<T>(client: Client, name: string, ...args: unknown[]): Promise<T | undefined> {
  const handle = client.workflow.getHandle(SES_FEEDBACK_WORKFLOW_ID);
  try {
    return await boundedTemporalCall(client, LIST_QUERY_TIMEOUT_MS, () =>
      handle.query<T, unknown[]>(name, ...args),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw ApplicationFailure.create({
      message: `the SES suppression list (${SES_FEEDBACK_WORKFLOW_ID}) did not answer: ${String(err)}`,
      type: 'SuppressionListUnavailable',
    });
  }
}

/** The addresses among `addresses` on the suppression list. */
export async function suppressedAmong(client: Client, addresses: string[]): Promise<Set<string>> {
  const keys = addresses.map(addressKey);
  const hit = new Set((await queryList<string[]>(client, SES_FEEDBACK.suppressed, keys)) ?? []);
  return new Set(addresses.filter((_, i) => hit.has(keys[i]!)));
}

export async function reputation(client: Client, configurationSet: string): Promise<Reputation | undefined> {
  const all = await queryList<Reputation[]>(client, SES_FEEDBACK.reputation);
  return all?.find((r) => r.configurationSet === configurationSet);
}

/** Counts sends for the rolling rates (starts the list when it is not running yet). */
export async function reportSent(client: Client, configurationSet: string, count: number): Promise<void> {
  if (count === 0) return;
  await boundedTemporalCall(client, LIST_QUERY_TIMEOUT_MS, () =>
    client.workflow.signalWithStart(SES_FEEDBACK.workflowType, {
      workflowId: SES_FEEDBACK_WORKFLOW_ID,
      taskQueue: Context.current().info.taskQueue,
      args: [{}],
      signal: SES_FEEDBACK.sent,
      signalArgs: [{ configurationSet, count }],
      typedSearchAttributes: [{ key: CONNECTOR_KEY, value: 'ses' }],
    }),
  );
}
