// What the ingress asks of Temporal, behind one small interface so routes stay testable. Every call
// has a deadline inside Slack's 3 seconds; a call Temporal did not take throws (the route answers
// 5xx and the vendor retries). A refusal by the workflow (validator, finished run) is an answer.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowNotFoundError,
} from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { CONNECTOR_KEY } from '../domain/search-attributes';

export type UpdateOutcome = { status: 'done'; result: unknown } | { status: 'refused'; reason: string };

export interface EventStart {
  workflowType: string;
  workflowId: string;
  args: unknown;
  signal: string;
  signalArgs: unknown;
  connector: string;
  /**
   * Workflow id reuse once the id's run has closed (default: REJECT_DUPLICATE, never again).
   * `allow`: a long-lived workflow that was closed is started again (ALLOW_DUPLICATE).
   * `failed-only`: started again only when the last run failed, timed out, was cancelled or
   * terminated (ALLOW_DUPLICATE_FAILED_ONLY), so a vendor's retry redoes an idempotent run that
   * did not finish, and a completed one stays `duplicate`.
   */
  reuse?: 'allow' | 'failed-only';
}

/** An update on a long-lived workflow that is started first when it is not running. */
export interface UpdateStart {
  workflowType: string;
  workflowId: string;
  args: unknown;
  update: string;
  updateArgs: unknown;
  updateId: string;
  connector: string;
}

export interface TemporalGateway {
  /** Update-with-start: the same `updateId` on the same run returns the first outcome again. */
  updateWithStart(start: UpdateStart): Promise<UpdateOutcome>;
  /**
   * Starts the event's workflow with its signal. A workflow id that ran before is refused by the
   * server (reuse policy REJECT_DUPLICATE unless `reuse` says otherwise): `duplicate`, the event
   * was already taken.
   */
  signalWithStart(start: EventStart): Promise<'started' | 'duplicate'>;
  /** Runs an update; the same `updateId` on the same run returns the first outcome again. */
  update(workflowId: string, name: string, args: unknown, updateId: string): Promise<UpdateOutcome>;
  query<T>(workflowId: string, name: string): Promise<T | undefined>;
  /** Signals a run; `closed` when it has ended (nothing left to tell it). */
  signal(workflowId: string, name: string, args: unknown): Promise<'signalled' | 'closed'>;
}

const REUSE = {
  reject: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  allow: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  'failed-only': WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
} as const;

export function clientGateway(client: Client, taskQueue: string, deadlineMs = 2_500): TemporalGateway {
  const within = <T>(fn: () => Promise<T>) => client.connection.withDeadline(Date.now() + deadlineMs, fn);
  return {
    async signalWithStart(start) {
      try {
        await within(() =>
          client.workflow.signalWithStart(start.workflowType, {
            taskQueue,
            workflowId: start.workflowId,
            args: [start.args],
            signal: start.signal,
            signalArgs: [start.signalArgs],
            workflowIdReusePolicy: REUSE[start.reuse ?? 'reject'],
            typedSearchAttributes: [{ key: CONNECTOR_KEY, value: start.connector }],
          }),
        );
        return 'started';
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
        throw err;
      }
    },
    async updateWithStart(start) {
      try {
        const startWorkflowOperation = new WithStartWorkflowOperation(start.workflowType, {
          taskQueue,
          workflowId: start.workflowId,
          args: [start.args],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          typedSearchAttributes: [{ key: CONNECTOR_KEY, value: start.connector }],
        });
        const result = await within(() =>
          client.workflow.executeUpdateWithStart(start.update, {
            args: [start.updateArgs],
            updateId: start.updateId,
            startWorkflowOperation,
          }),
        );
        return { status: 'done', result };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          return { status: 'refused', reason: (err.cause as Error | undefined)?.message ?? err.message };
        throw err;
      }
    },
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
    async signal(workflowId, name, args) {
      try {
        await within(() => client.workflow.getHandle(workflowId).signal(name, args));
        return 'signalled';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return 'closed';
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
