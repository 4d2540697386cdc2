// What the ingress asks of Temporal, behind one small interface so routes stay testable. Every call
// has a deadline inside Slack's 3 seconds; a call Temporal did not take throws (the route answers
// 5xx and the vendor retries). A refusal by the workflow (validator, finished run) is an answer.
import { WorkflowNotFoundError } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';

export type UpdateOutcome = { status: 'done'; result: unknown } | { status: 'refused'; reason: string };

export interface TemporalGateway {
  /** Runs an update; the same `updateId` on the same run returns the first outcome again. */
  update(workflowId: string, name: string, args: unknown, updateId: string): Promise<UpdateOutcome>;
  query<T>(workflowId: string, name: string): Promise<T | undefined>;
}

export function clientGateway(client: Client, deadlineMs = 2_500): TemporalGateway {
  const within = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + deadlineMs, fn);
  return {
    async update(workflowId, name, args, updateId) {
      try {
        const handle = client.workflow.getHandle(workflowId);
        const result = await within(() => handle.executeUpdate(name, { args: [args], updateId }));
        return { status: 'done', result };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          return { status: 'refused', reason: (err.cause as Error | undefined)?.message ?? err.message };
        if (err instanceof WorkflowNotFoundError)
          return { status: 'refused', reason: 'that run is no longer open' };
        throw err;
      }
    },
    async query<T>(workflowId: string, name: string) {
      try {
        return await within(() => client.workflow.getHandle(workflowId).query<T>(name));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },
  };
}
