// Asking a connector's breaker before a call: a `permit` update on `breaker-<connector>` (started
// on first use), carrying the worker's BREAKER_* settings so a changed setting applies at once.
// Workflows cannot send an update themselves, hence this activity.
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import {
  DEFAULT_BREAKER_POLICY,
  breakerWorkflowId,
  type BreakerPolicy,
  type Permit,
} from '../domain/breaker';
import { CONNECTOR_KEY } from '../domain/search-attributes';
import { boundedTemporalCall } from './shared/temporalCall';

/** Under askBreaker's start-to-close timeout (30 s), so the attempt ends before Temporal gives up on it. */
const BREAKER_CALL_TIMEOUT_MS = 25_000;

export function createBreakerActivities(deps: { policy?: BreakerPolicy; callTimeoutMs?: number }) {
  const policy = deps.policy ?? DEFAULT_BREAKER_POLICY;
  const callTimeoutMs = deps.callTimeoutMs ?? BREAKER_CALL_TIMEOUT_MS;
  return {
    async askBreaker(request: { connector: string; by: string }): Promise<Permit> {
      const { client, info } = Context.current();
      const workflowId = breakerWorkflowId(request.connector);
      // Bounded: an update waits for the breaker's worker, and must not outlive this attempt.
      const ask = () =>
        boundedTemporalCall(client, callTimeoutMs, () =>
          client.workflow
            .getHandle(workflowId)
            .executeUpdate<Permit, [unknown]>('permit', { args: [{ by: request.by, policy }] }),
        );
      try {
        return await ask();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      try {
        await client.workflow.start('circuitBreaker', {
          workflowId,
          taskQueue: info.taskQueue,
          args: [{ connector: request.connector, policy }],
          typedSearchAttributes: [{ key: CONNECTOR_KEY, value: request.connector }],
          staticSummary: `Circuit breaker: ${request.connector}`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      return ask();
    },
  };
}
