// Workflow interceptor: every run that fails is announced once, with the reason, its connector and
// a link to it. The failed run only starts the announcing child (runFailureAlert, abandoned) and
// then fails as before, so a chat outage never holds a failed run open.
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  TemporalFailure,
  isCancellation,
  startChild,
  workflowInfo,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
} from '@temporalio/workflow';
import { workflowConnector } from './audit';
import { connectorAttributes } from './childAttributes';
import { failureMessage } from './besideTheLadder';
import { EU_WORKFLOW_IDS } from '../../domain/dataRegions';
import { runFailureAlert, runFailureAlertWorkflowId } from '../runFailureAlert';

class AnnounceFailure implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    try {
      return await next(input);
    } catch (err) {
      // Only a failure fails the run: anything else fails the workflow task (retried, not final),
      // a cancellation is not a failure, and the announcer's own failure is not announced again.
      if (
        err instanceof TemporalFailure &&
        !isCancellation(err) &&
        workflowInfo().workflowType !== 'runFailureAlert'
      )
        await announceFailure(err, input.args[0]);
      throw err;
    }
  }
}

async function announceFailure(err: TemporalFailure, firstArg: unknown): Promise<void> {
  const { namespace, workflowId, runId, workflowType } = workflowInfo();
  // The run's Connector attribute; before it is set (bad input), the input's `connector`.
  const fromInput = (firstArg as { connector?: unknown } | null | undefined)?.connector;
  const fromAttribute = workflowConnector();
  const connector = fromAttribute === 'platform' && typeof fromInput === 'string' ? fromInput : fromAttribute;
  await CancellationScope.nonCancellable(
    () =>
      startChild(runFailureAlert, {
        workflowId: runFailureAlertWorkflowId(runId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: connectorAttributes(connector),
        args: [
          {
            run: { namespace, workflowId, runId, workflowType },
            connector: connector.slice(0, 100),
            failureType: err instanceof ApplicationFailure ? (err.type ?? 'Error') : err.name,
            // The alert is under the default key: a run holding EU data keeps its reason to itself.
            reason: EU_WORKFLOW_IDS.has(workflowId)
              ? `see the run (${workflowId} holds EU data: its reason stays under the EU key)`
              : failureMessage(err),
          },
        ],
      }),
    // The run's own failure is what it reports: an alert that cannot start must not replace it.
  ).catch(() => undefined);
}

export const interceptors: WorkflowInterceptorsFactory = () => ({ inbound: [new AnnounceFailure()] });
