// Workflow interceptors of the audit trail (registered by the worker with
// `interceptors.workflowModules`): every signal and update a run takes is one audit line naming the
// person in its `who`/`by`, and every activity carries the run's actor in a header so the vendor
// writes it makes are attributed to the schedule or workflow that caused them.
import { defaultPayloadConverter } from '@temporalio/common';
import {
  workflowInfo,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type SignalInput,
  type UpdateInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { AUDIT_ACTOR_HEADER, personOf } from '../../domain/audit';
import { auditEvent, workflowActor } from './audit';

function reasonOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

class AuditInbound implements WorkflowInboundCallsInterceptor {
  async handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    auditEvent({
      actor: personOf(input.args[0]) ?? 'unknown',
      action: `signal:${input.signalName.slice(0, 100)}`,
      target: workflowInfo().workflowId,
      outcome: 'received',
    });
    return next(input);
  }

  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    try {
      next(input);
    } catch (err) {
      auditEvent({
        actor: personOf(input.args[0]) ?? 'unknown',
        action: `update:${input.name}`,
        target: workflowInfo().workflowId,
        outcome: 'rejected',
        detail: { reason: reasonOf(err) },
      });
      throw err;
    }
  }

  async handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
    const line = {
      actor: personOf(input.args[0]) ?? 'unknown',
      action: `update:${input.name}`,
      target: workflowInfo().workflowId,
    };
    try {
      const result = await next(input);
      auditEvent({ ...line, outcome: 'accepted' });
      return result;
    } catch (err) {
      auditEvent({ ...line, outcome: 'failed', detail: { reason: reasonOf(err) } });
      throw err;
    }
  }
}

class AuditOutbound implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(
    input: ActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>,
  ) {
    return next({ ...input, headers: withActor(input.headers) });
  }

  async scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return next({ ...input, headers: withActor(input.headers) });
  }
}

function withActor(headers: ActivityInput['headers']): ActivityInput['headers'] {
  return { ...headers, [AUDIT_ACTOR_HEADER]: defaultPayloadConverter.toPayload(workflowActor()) };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new AuditInbound()],
  outbound: [new AuditOutbound()],
});
