// Starts an abandoned child workflow unless one with that id already runs: the breaker, a channel's
// recovery, a host's renewal, a drift refresh are each one run however many callers ask for it.
import { WorkflowExecutionAlreadyStartedError, type WithWorkflowArgs } from '@temporalio/common';
import {
  ParentClosePolicy,
  startChild,
  type ChildWorkflowOptions,
  type Workflow,
} from '@temporalio/workflow';

type ChildOptions = Omit<ChildWorkflowOptions, 'typeInfo'> & { typeInfo?: never; workflowId: string };

/** Starts `workflow` as `options.workflowId`; an already running one is left as it is. */
export async function startChildOnce<T extends Workflow>(
  workflow: T,
  options: WithWorkflowArgs<T, ChildOptions>,
): Promise<void> {
  try {
    await startChild(workflow, { parentClosePolicy: ParentClosePolicy.ABANDON, ...options });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
