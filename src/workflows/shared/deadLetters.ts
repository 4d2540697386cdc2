// Dead-lettering from workflow code: what a workflow could not get done after its retries (an
// event, a record) goes to its connector's queue with the failure chain, via the `deadLetter`
// activity (workflows cannot signal-with-start another workflow themselves).
import { ActivityFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { deadLetterErrorOf } from '../../domain/deadLetter';

const queue = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

export async function deadLetterFromWorkflow(item: {
  connector: string;
  kind: string;
  key: string;
  payload: unknown;
  err: unknown;
}): Promise<void> {
  const attempts = item.err instanceof ActivityFailure ? undefined : 1;
  await queue.deadLetter([
    {
      connector: item.connector,
      kind: item.kind,
      key: item.key,
      payload: item.payload,
      error: deadLetterErrorOf(item.err),
      attempts,
      failedAt: new Date().toISOString(),
      source: { workflowId: workflowInfo().workflowId, runId: workflowInfo().runId },
    },
  ]);
}
